package dev.proxyanchor.model.kernels;

import dev.proxyanchor.model.runtime.ContiguousFloats;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * BatchNorm's training-mode passes (batch statistics, ReLU optionally fused) over contiguous NCHW float32 data in
 * as few sweeps as the maths allows: forward reads the input twice (statistics, then output) and writes once;
 * backward reads input and gradient twice (the two per-channel sums, then the input gradient) and writes once.
 * BatchNorm is memory-bound, and composing it from ND4J ops took about three times as many sweeps. Channels are
 * split across the threads ND4J itself may use; each image's row of a channel is copied in bulk to a heap array
 * and worked on there ({@link BatchNormRows}; element-wise access through an NIO buffer is several times slower).
 *
 * <p>Sums run in float within one row and in double across rows, around a per-channel shift (the channel's first
 * value), so the one-pass variance does not cancel catastrophically when the mean is large against the spread.
 */
public final class BatchNormKernels {

    private BatchNormKernels() {
    }

    /** Per-channel batch statistics of the last forward pass. */
    public record Statistics(double[] mean, double[] biasedVariance, double[] invStd, long perChannel) {
    }

    /** out = gamma * (x - mean) * invStd + beta (then ReLU when {@code relu}); returns the batch statistics. */
    public static Statistics forward(INDArray x, double[] gamma, double[] beta, double eps, boolean relu, INDArray out) {
        int n = (int) x.size(0);
        int c = (int) x.size(1);
        int hw = (int) (x.size(2) * x.size(3));
        FloatBuffer in = ContiguousFloats.of(x);
        FloatBuffer y = ContiguousFloats.of(out);
        double[] mean = new double[c];
        double[] var = new double[c];
        double[] invStd = new double[c];
        ContiguousFloats.indices(c).forEach(ch -> {
            float[] row = new float[hw];
            float shift = in.get(ch * hw);
            double[] sums = new double[2];
            for (int img = 0; img < n; img++) {
                in.get((img * c + ch) * hw, row);
                BatchNormRows.sums(row, shift, sums);
            }
            long m = (long) n * hw;
            double shiftedMean = sums[0] / m;
            mean[ch] = shift + shiftedMean;
            var[ch] = Math.max(0, sums[1] / m - shiftedMean * shiftedMean);
            invStd[ch] = 1 / Math.sqrt(var[ch] + eps);
            float scale = (float) (gamma[ch] * invStd[ch]);
            float offset = (float) (beta[ch] - mean[ch] * gamma[ch] * invStd[ch]);
            for (int img = 0; img < n; img++) {
                int base = (img * c + ch) * hw;
                in.get(base, row);
                for (int i = 0; i < hw; i++) {
                    row[i] = row[i] * scale + offset;
                }
                if (relu) {
                    for (int i = 0; i < hw; i++) {
                        row[i] = Math.max(row[i], 0f);
                    }
                }
                y.put(base, row);
            }
        });
        return new Statistics(mean, var, invStd, (long) n * hw);
    }

    /**
     * dx from dy through BatchNorm (and the ReLU, whose mask is recomputed from x); fills dGamma and dBeta.
     * dx = gamma * invStd * (g - mean(g) - xHat * mean(g * xHat)) with g the gradient after the ReLU.
     */
    public static void backward(INDArray x, INDArray dy, double[] gamma, double[] beta, Statistics stats, boolean relu,
            INDArray dx, double[] dGamma, double[] dBeta) {
        int n = (int) x.size(0);
        int c = (int) x.size(1);
        int hw = (int) (x.size(2) * x.size(3));
        FloatBuffer in = ContiguousFloats.of(x);
        FloatBuffer grad = ContiguousFloats.of(dy);
        FloatBuffer out = ContiguousFloats.of(dx);
        ContiguousFloats.indices(c).forEach(ch -> {
            float[] xHat = new float[hw];
            float[] g = new float[hw];
            float mean = (float) stats.mean()[ch];
            float invStd = (float) stats.invStd()[ch];
            float gammaC = (float) gamma[ch];
            float betaC = (float) beta[ch];
            double[] sums = new double[2];
            for (int img = 0; img < n; img++) {
                int base = (img * c + ch) * hw;
                in.get(base, xHat);
                grad.get(base, g);
                BatchNormRows.gradientSums(xHat, g, mean, invStd, gammaC, betaC, relu, sums);
            }
            dBeta[ch] = sums[0];
            dGamma[ch] = sums[1];
            float scale = gammaC * invStd;
            float meanG = (float) (sums[0] / stats.perChannel());
            float meanGX = (float) (sums[1] / stats.perChannel());
            for (int img = 0; img < n; img++) {
                int base = (img * c + ch) * hw;
                in.get(base, xHat);
                grad.get(base, g);
                BatchNormRows.inputGradient(xHat, g, mean, invStd, gammaC, betaC, relu, scale, meanG, meanGX);
                out.put(base, g);
            }
        });
    }
}
