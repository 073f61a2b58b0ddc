package dev.proxyanchor.model.kernels;

import dev.proxyanchor.model.runtime.ContiguousFloats;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@link ReluImpl}'s sweeps, in L1-sized chunks split across threads. They read and write the arrays' memory in place:
 * on SIMD lanes ({@link ReluVectorChunks}) when the JVM has the Vector API module, else element by element. These
 * sweeps are pure memory traffic, so a round trip of each chunk through a Java array (as the other kernels make)
 * would cost about a third more.
 */
public final class ReluKernels {

    private static final int CHUNK = 4096;

    private ReluKernels() {
    }

    /** One chunk's work: elements [from, to) of the arrays. */
    private interface Chunk {
        void run(int from, int to);
    }

    /** out = max(x, 0), NaN kept. */
    public static void forward(INDArray x, INDArray out) {
        if (BatchNormRows.VECTORIZED) {
            ByteBuffer in = ContiguousFloats.bytesOf(x);
            ByteBuffer y = ContiguousFloats.bytesOf(out);
            inChunks(x.length(), (from, to) -> ReluVectorChunks.forward(in, y, from, to));
            return;
        }
        FloatBuffer in = ContiguousFloats.of(x);
        FloatBuffer y = ContiguousFloats.of(out);
        inChunks(x.length(), (from, to) -> {
            for (int i = from; i < to; i++) {
                y.put(i, Math.max(in.get(i), 0f));
            }
        });
    }

    /** dx = dy where x > 0, else 0 (also where x is NaN, as PyTorch's threshold_backward). */
    public static void backward(INDArray x, INDArray dy, INDArray dx) {
        if (BatchNormRows.VECTORIZED) {
            ByteBuffer in = ContiguousFloats.bytesOf(x);
            ByteBuffer grad = ContiguousFloats.bytesOf(dy);
            ByteBuffer out = ContiguousFloats.bytesOf(dx);
            inChunks(x.length(), (from, to) -> ReluVectorChunks.backward(in, grad, out, null, from, to));
            return;
        }
        FloatBuffer in = ContiguousFloats.of(x);
        FloatBuffer grad = ContiguousFloats.of(dy);
        FloatBuffer out = ContiguousFloats.of(dx);
        inChunks(x.length(), (from, to) -> {
            for (int i = from; i < to; i++) {
                out.put(i, in.get(i) > 0 ? grad.get(i) : 0f);
            }
        });
    }

    /** out = max(a + b, 0): a residual sum and the ReLU after it. */
    public static void sumForward(INDArray a, INDArray b, INDArray out) {
        if (BatchNormRows.VECTORIZED) {
            ByteBuffer x = ContiguousFloats.bytesOf(a);
            ByteBuffer y = ContiguousFloats.bytesOf(b);
            ByteBuffer sum = ContiguousFloats.bytesOf(out);
            inChunks(a.length(), (from, to) -> ReluVectorChunks.sumForward(x, y, sum, from, to));
            return;
        }
        FloatBuffer x = ContiguousFloats.of(a);
        FloatBuffer y = ContiguousFloats.of(b);
        FloatBuffer sum = ContiguousFloats.of(out);
        inChunks(a.length(), (from, to) -> {
            for (int i = from; i < to; i++) {
                sum.put(i, Math.max(x.get(i) + y.get(i), 0f));
            }
        });
    }

    /** dx1 = dx2 = dy where y > 0, else 0: the gradient of {@link #sumForward} (y its output) for both summands. */
    public static void backwardToBoth(INDArray y, INDArray dy, INDArray dx1, INDArray dx2) {
        if (BatchNormRows.VECTORIZED) {
            ByteBuffer out = ContiguousFloats.bytesOf(y);
            ByteBuffer grad = ContiguousFloats.bytesOf(dy);
            ByteBuffer first = ContiguousFloats.bytesOf(dx1);
            ByteBuffer second = ContiguousFloats.bytesOf(dx2);
            inChunks(y.length(), (from, to) -> ReluVectorChunks.backward(out, grad, first, second, from, to));
            return;
        }
        FloatBuffer out = ContiguousFloats.of(y);
        FloatBuffer grad = ContiguousFloats.of(dy);
        FloatBuffer first = ContiguousFloats.of(dx1);
        FloatBuffer second = ContiguousFloats.of(dx2);
        inChunks(y.length(), (from, to) -> {
            for (int i = from; i < to; i++) {
                float g = out.get(i) > 0 ? grad.get(i) : 0f;
                first.put(i, g);
                second.put(i, g);
            }
        });
    }

    private static void inChunks(long n, Chunk chunk) {
        ContiguousFloats.indices((n + CHUNK - 1) / CHUNK).forEach(c -> {
            int from = c * CHUNK;
            chunk.run(from, (int) Math.min(from + (long) CHUNK, n));
        });
    }
}
