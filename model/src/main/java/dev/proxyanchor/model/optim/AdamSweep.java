package dev.proxyanchor.model.optim;

import dev.proxyanchor.model.runtime.ContiguousFloats;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@link TorchAdamUpdater}'s step for host float32 arrays in one sweep: reads gradient, m and v once and writes the
 * three back, in chunks that stay in L1, where the same step as ND4J operations was about a dozen operations (each a
 * sweep, several allocating a temporary) whose fixed cost dominated for the small parameter blocks of the heads.
 * The arithmetic is the ND4J version's, operation for operation in float32.
 */
final class AdamSweep {

    private static final int CHUNK = 4096;

    private AdamSweep() {
    }

    static boolean accepts(INDArray gradient, INDArray m, INDArray v) {
        return ContiguousFloats.all(gradient, m, v);
    }

    /**
     * m = beta1 m + (1 - beta1) g; v = beta2 v + (1 - beta2) g^2; g = m / (sqrt(v) / sqrt(1 - beta2^t) + eps) *
     * lr / (1 - beta1^t).
     */
    static void step(INDArray gradient, INDArray m, INDArray v, double beta1, double beta2, double epsilon,
            double stepSize, double biasCorrection2Sqrt) {
        FloatBuffer g = ContiguousFloats.of(gradient);
        FloatBuffer first = ContiguousFloats.of(m);
        FloatBuffer second = ContiguousFloats.of(v);
        float b1 = (float) beta1;
        float oneMinusB1 = (float) (1 - beta1);
        float b2 = (float) beta2;
        float oneMinusB2 = (float) (1 - beta2);
        float eps = (float) epsilon;
        float size = (float) stepSize;
        float correction = (float) biasCorrection2Sqrt;
        long n = gradient.length();
        ContiguousFloats.indices((n + CHUNK - 1) / CHUNK).forEach(chunk -> {
            int from = chunk * CHUNK;
            int length = (int) Math.min(CHUNK, n - from);
            float[] gc = new float[length];
            float[] mc = new float[length];
            float[] vc = new float[length];
            g.get(from, gc);
            first.get(from, mc);
            second.get(from, vc);
            for (int i = 0; i < length; i++) {
                mc[i] = mc[i] * b1 + gc[i] * oneMinusB1;
                vc[i] = vc[i] * b2 + gc[i] * gc[i] * oneMinusB2;
                gc[i] = mc[i] / ((float) Math.sqrt(vc[i]) / correction + eps) * size;
            }
            g.put(from, gc);
            first.put(from, mc);
            second.put(from, vc);
        });
    }
}
