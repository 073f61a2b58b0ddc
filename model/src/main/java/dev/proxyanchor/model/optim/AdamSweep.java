package dev.proxyanchor.model.optim;

import dev.proxyanchor.model.runtime.ContiguousFloats;
import java.nio.ByteBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@link TorchAdamUpdater}'s step for host float32 arrays in one sweep: reads gradient, m, v and the step count once
 * and writes the four back, in chunks split across threads, straight in the arrays' memory, where the same step as
 * ND4J operations was about a dozen operations (each a sweep, several allocating a temporary) whose fixed cost
 * dominated for the small parameter blocks of the heads. With the Vector API the chunks run on SIMD lanes
 * ({@link AdamVectorChunks}); either way the arithmetic is the ND4J version's, operation for operation in float32.
 */
final class AdamSweep {

    private static final int CHUNK = 4096;

    /**
     * The step's constants in float32, and its element-by-element form; {@code clip} bounds the gradient's elements
     * first (infinite: no clipping).
     */
    record Constants(float b1, float oneMinusB1, float b2, float oneMinusB2, float eps, float size, float correction,
                     float clip) {

        Constants(double beta1, double beta2, double epsilon, double stepSize, double biasCorrection2Sqrt,
                double clip) {
            this((float) beta1, (float) (1 - beta1), (float) beta2, (float) (1 - beta2), (float) epsilon,
                    (float) stepSize, (float) biasCorrection2Sqrt, (float) clip);
        }

        /** The step on elements [from, to) of the arrays' native-order bytes (element i at byte 4 i). */
        void scalar(ByteBuffer g, ByteBuffer m, ByteBuffer v, ByteBuffer count, int from, int to) {
            for (int i = from; i < to; i++) {
                int at = i * Float.BYTES;
                float gi = Math.max(-clip, Math.min(clip, g.getFloat(at)));
                float mi = m.getFloat(at) * b1 + gi * oneMinusB1;
                float vi = v.getFloat(at) * b2 + gi * gi * oneMinusB2;
                m.putFloat(at, mi);
                v.putFloat(at, vi);
                g.putFloat(at, mi / ((float) Math.sqrt(vi) / correction + eps) * size);
                count.putFloat(at, count.getFloat(at) + 1f);
            }
        }
    }

    private AdamSweep() {
    }

    static boolean accepts(INDArray gradient, INDArray m, INDArray v, INDArray count) {
        return ContiguousFloats.all(gradient, m, v, count);
    }

    /**
     * g = clamp(g, -clip, clip); count = count + 1; m = beta1 m + (1 - beta1) g; v = beta2 v + (1 - beta2) g^2;
     * g = m / (sqrt(v) / sqrt(1 - beta2^t) + eps) * lr / (1 - beta1^t).
     */
    static void step(INDArray gradient, INDArray m, INDArray v, INDArray count, double beta1, double beta2,
            double epsilon, double stepSize, double biasCorrection2Sqrt, double clip) {
        Constants constants = new Constants(beta1, beta2, epsilon, stepSize, biasCorrection2Sqrt, clip);
        ByteBuffer g = ContiguousFloats.bytesOf(gradient);
        ByteBuffer first = ContiguousFloats.bytesOf(m);
        ByteBuffer second = ContiguousFloats.bytesOf(v);
        ByteBuffer steps = ContiguousFloats.bytesOf(count);
        AdamVectorChunks lanes = ContiguousFloats.VECTOR_API
                ? new AdamVectorChunks(constants, g, first, second, steps) : null;
        long n = gradient.length();
        ContiguousFloats.indices((n + CHUNK - 1) / CHUNK).forEach(chunk -> {
            int from = chunk * CHUNK;
            int to = (int) Math.min(from + (long) CHUNK, n);
            if (lanes != null) {
                lanes.step(from, to);
            } else {
                constants.scalar(g, first, second, steps, from, to);
            }
        });
    }
}
