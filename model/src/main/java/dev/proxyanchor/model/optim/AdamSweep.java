package dev.proxyanchor.model.optim;

import dev.proxyanchor.model.runtime.ContiguousFloats;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@link TorchAdamUpdater}'s step for host float32 arrays in one sweep: reads gradient, m, v and the step count once
 * and writes the four back, in chunks that stay in L1, where the same step as ND4J operations was about a dozen
 * operations (each a sweep, several allocating a temporary) whose fixed cost dominated for the small parameter blocks
 * of the heads. With the Vector API the chunks are computed on SIMD lanes straight in the arrays' memory
 * ({@link AdamVectorChunks}); either way the arithmetic is the ND4J version's, operation for operation in float32.
 */
final class AdamSweep {

    private static final int CHUNK = 4096;

    private AdamSweep() {
    }

    static boolean accepts(INDArray gradient, INDArray m, INDArray v, INDArray count) {
        return ContiguousFloats.all(gradient, m, v, count);
    }

    /**
     * count = count + 1; m = beta1 m + (1 - beta1) g; v = beta2 v + (1 - beta2) g^2;
     * g = m / (sqrt(v) / sqrt(1 - beta2^t) + eps) * lr / (1 - beta1^t).
     */
    static void step(INDArray gradient, INDArray m, INDArray v, INDArray count, double beta1, double beta2,
            double epsilon, double stepSize, double biasCorrection2Sqrt) {
        long n = gradient.length();
        if (ContiguousFloats.VECTOR_API) {
            AdamVectorChunks chunks = new AdamVectorChunks(ContiguousFloats.bytesOf(gradient),
                    ContiguousFloats.bytesOf(m), ContiguousFloats.bytesOf(v), ContiguousFloats.bytesOf(count),
                    beta1, beta2, epsilon, stepSize, biasCorrection2Sqrt);
            ContiguousFloats.indices((n + CHUNK - 1) / CHUNK).forEach(chunk -> {
                int from = chunk * CHUNK;
                chunks.step(from, (int) Math.min(from + (long) CHUNK, n));
            });
            return;
        }
        FloatBuffer g = ContiguousFloats.of(gradient);
        FloatBuffer first = ContiguousFloats.of(m);
        FloatBuffer second = ContiguousFloats.of(v);
        FloatBuffer steps = ContiguousFloats.of(count);
        float b1 = (float) beta1;
        float oneMinusB1 = (float) (1 - beta1);
        float b2 = (float) beta2;
        float oneMinusB2 = (float) (1 - beta2);
        float eps = (float) epsilon;
        float size = (float) stepSize;
        float correction = (float) biasCorrection2Sqrt;
        ContiguousFloats.indices((n + CHUNK - 1) / CHUNK).forEach(chunk -> {
            int from = chunk * CHUNK;
            int to = (int) Math.min(from + (long) CHUNK, n);
            for (int i = from; i < to; i++) {
                float gi = g.get(i);
                float mi = first.get(i) * b1 + gi * oneMinusB1;
                float vi = second.get(i) * b2 + gi * gi * oneMinusB2;
                first.put(i, mi);
                second.put(i, vi);
                g.put(i, mi / ((float) Math.sqrt(vi) / correction + eps) * size);
                steps.put(i, steps.get(i) + 1f);
            }
        });
    }
}
