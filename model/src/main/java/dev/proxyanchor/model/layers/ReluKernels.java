package dev.proxyanchor.model.layers;

import dev.proxyanchor.model.runtime.ContiguousFloats;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@link ReluImpl}'s sweeps, in L1-sized chunks split across threads; the chunk arithmetic runs on SIMD lanes
 * ({@link ReluVectorChunks}) when the JVM has the Vector API module.
 */
final class ReluKernels {

    private static final int CHUNK = 4096;
    private static final ThreadLocal<float[][]> BUFFERS = ThreadLocal.withInitial(() -> new float[][] {
            new float[CHUNK], new float[CHUNK]});

    private ReluKernels() {
    }

    /** out = max(x, 0), NaN kept. */
    static void forward(INDArray x, INDArray out) {
        FloatBuffer in = ContiguousFloats.of(x);
        FloatBuffer y = ContiguousFloats.of(out);
        long n = x.length();
        ContiguousFloats.indices((n + CHUNK - 1) / CHUNK).forEach(c -> {
            int from = c * CHUNK;
            int length = (int) Math.min(CHUNK, n - from);
            float[] v = BUFFERS.get()[0];
            in.get(from, v, 0, length);
            if (BatchNormRows.VECTORIZED) {
                ReluVectorChunks.forward(v, length);
            } else {
                for (int i = 0; i < length; i++) {
                    v[i] = Math.max(v[i], 0f);
                }
            }
            y.put(from, v, 0, length);
        });
    }

    /** dx = dy where x > 0, else 0 (also where x is NaN, as PyTorch's threshold_backward). */
    static void backward(INDArray x, INDArray dy, INDArray dx) {
        FloatBuffer in = ContiguousFloats.of(x);
        FloatBuffer grad = ContiguousFloats.of(dy);
        FloatBuffer out = ContiguousFloats.of(dx);
        long n = x.length();
        ContiguousFloats.indices((n + CHUNK - 1) / CHUNK).forEach(c -> {
            int from = c * CHUNK;
            int length = (int) Math.min(CHUNK, n - from);
            float[][] buffers = BUFFERS.get();
            float[] v = buffers[0];
            float[] g = buffers[1];
            in.get(from, v, 0, length);
            grad.get(from, g, 0, length);
            if (BatchNormRows.VECTORIZED) {
                ReluVectorChunks.backward(v, g, length);
            } else {
                for (int i = 0; i < length; i++) {
                    g[i] = v[i] > 0 ? g[i] : 0f;
                }
            }
            out.put(from, g, 0, length);
        });
    }
}
