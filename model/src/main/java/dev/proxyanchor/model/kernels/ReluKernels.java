package dev.proxyanchor.model.kernels;

import dev.proxyanchor.model.runtime.ContiguousFloats;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@link ReluImpl}'s sweeps, in L1-sized chunks split across threads; the chunk arithmetic runs on SIMD lanes
 * ({@link ReluVectorChunks}) when the JVM has the Vector API module.
 */
public final class ReluKernels {

    private static final int CHUNK = 4096;

    private ReluKernels() {
    }

    /** One chunk's work: elements [from, from + length) of the arrays. */
    private interface Chunk {
        void run(int from, int length);
    }

    /** out = max(x, 0), NaN kept. */
    public static void forward(INDArray x, INDArray out) {
        FloatBuffer in = ContiguousFloats.of(x);
        FloatBuffer y = ContiguousFloats.of(out);
        inChunks(x.length(), (from, length) -> {
            float[] v = ThreadBuffers.floats(0, CHUNK);
            in.get(from, v, 0, length);
            clamp(v, length);
            y.put(from, v, 0, length);
        });
    }

    /** dx = dy where x > 0, else 0 (also where x is NaN, as PyTorch's threshold_backward). */
    public static void backward(INDArray x, INDArray dy, INDArray dx) {
        FloatBuffer in = ContiguousFloats.of(x);
        FloatBuffer grad = ContiguousFloats.of(dy);
        FloatBuffer out = ContiguousFloats.of(dx);
        inChunks(x.length(), (from, length) -> {
            float[] v = ThreadBuffers.floats(0, CHUNK);
            float[] g = ThreadBuffers.floats(1, CHUNK);
            in.get(from, v, 0, length);
            grad.get(from, g, 0, length);
            mask(v, g, length);
            out.put(from, g, 0, length);
        });
    }

    /** out = max(a + b, 0): a residual sum and the ReLU after it. */
    public static void sumForward(INDArray a, INDArray b, INDArray out) {
        FloatBuffer x = ContiguousFloats.of(a);
        FloatBuffer y = ContiguousFloats.of(b);
        FloatBuffer sum = ContiguousFloats.of(out);
        inChunks(a.length(), (from, length) -> {
            float[] v = ThreadBuffers.floats(0, CHUNK);
            float[] w = ThreadBuffers.floats(1, CHUNK);
            x.get(from, v, 0, length);
            y.get(from, w, 0, length);
            for (int i = 0; i < length; i++) {
                v[i] += w[i];
            }
            clamp(v, length);
            sum.put(from, v, 0, length);
        });
    }

    /** dx1 = dx2 = dy where y > 0, else 0: the gradient of {@link #sumForward} (y its output) for both summands. */
    public static void backwardToBoth(INDArray y, INDArray dy, INDArray dx1, INDArray dx2) {
        FloatBuffer out = ContiguousFloats.of(y);
        FloatBuffer grad = ContiguousFloats.of(dy);
        FloatBuffer first = ContiguousFloats.of(dx1);
        FloatBuffer second = ContiguousFloats.of(dx2);
        inChunks(y.length(), (from, length) -> {
            float[] v = ThreadBuffers.floats(0, CHUNK);
            float[] g = ThreadBuffers.floats(1, CHUNK);
            out.get(from, v, 0, length);
            grad.get(from, g, 0, length);
            mask(v, g, length);
            first.put(from, g, 0, length);
            second.put(from, g, 0, length);
        });
    }

    /** v = max(v, 0) on the first {@code length} elements, NaN kept. */
    private static void clamp(float[] v, int length) {
        if (BatchNormRows.VECTORIZED) {
            ReluVectorChunks.forward(v, length);
        } else {
            for (int i = 0; i < length; i++) {
                v[i] = Math.max(v[i], 0f);
            }
        }
    }

    /** g = g where v > 0, else 0, on the first {@code length} elements. */
    private static void mask(float[] v, float[] g, int length) {
        if (BatchNormRows.VECTORIZED) {
            ReluVectorChunks.backward(v, g, length);
        } else {
            for (int i = 0; i < length; i++) {
                g[i] = v[i] > 0 ? g[i] : 0f;
            }
        }
    }

    private static void inChunks(long n, Chunk chunk) {
        ContiguousFloats.indices((n + CHUNK - 1) / CHUNK).forEach(c -> {
            int from = c * CHUNK;
            chunk.run(from, (int) Math.min(CHUNK, n - from));
        });
    }
}
