package dev.proxyanchor.model.layers;

import java.nio.FloatBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * BatchNorm's training-mode passes (batch statistics, ReLU optionally fused) over contiguous NCHW float32 data in
 * as few sweeps as the maths allows: forward reads the input twice (statistics, then output) and writes once;
 * backward reads input and gradient twice (the two per-channel sums, then the input gradient) and writes once.
 * BatchNorm is memory-bound, and composing it from ND4J ops took about three times as many sweeps. Channels are
 * split across the threads ND4J itself may use; each image's row of a channel is copied in bulk to a heap array
 * and worked on there (element-wise access through an NIO buffer is several times slower).
 *
 * <p>Sums run in four float lanes within one image's row and in double across rows, around a per-channel shift
 * (the channel's first value), so the one-pass variance does not cancel catastrophically when the mean is large
 * against the spread.
 */
final class BatchNormKernels {

    private BatchNormKernels() {
    }

    /** Per-channel batch statistics of the last forward pass. */
    record Statistics(double[] mean, double[] biasedVariance, double[] invStd, long perChannel) {
    }

    /** out = gamma * (x - mean) * invStd + beta (then ReLU when {@code relu}); returns the batch statistics. */
    static Statistics forward(INDArray x, double[] gamma, double[] beta, double eps, boolean relu, INDArray out) {
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
            double s = 0;
            double ss = 0;
            for (int img = 0; img < n; img++) {
                in.get((img * c + ch) * hw, row);
                // Four float lanes per sum keep the adds independent; each lane holds a quarter of one row.
                float s0 = 0, s1 = 0, s2 = 0, s3 = 0, q0 = 0, q1 = 0, q2 = 0, q3 = 0;
                int i = 0;
                for (; i + 3 < hw; i += 4) {
                    float a = row[i] - shift;
                    float b = row[i + 1] - shift;
                    float d = row[i + 2] - shift;
                    float e = row[i + 3] - shift;
                    s0 += a;
                    s1 += b;
                    s2 += d;
                    s3 += e;
                    q0 += a * a;
                    q1 += b * b;
                    q2 += d * d;
                    q3 += e * e;
                }
                for (; i < hw; i++) {
                    float a = row[i] - shift;
                    s0 += a;
                    q0 += a * a;
                }
                s += (double) s0 + s1 + s2 + s3;
                ss += (double) q0 + q1 + q2 + q3;
            }
            long m = (long) n * hw;
            double shiftedMean = s / m;
            mean[ch] = shift + shiftedMean;
            var[ch] = Math.max(0, ss / m - shiftedMean * shiftedMean);
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
    static void backward(INDArray x, INDArray dy, double[] gamma, double[] beta, Statistics stats, boolean relu,
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
            double sumG = 0;
            double sumGX = 0;
            for (int img = 0; img < n; img++) {
                rows(in, grad, (img * c + ch) * hw, mean, invStd, gammaC, betaC, relu, xHat, g);
                float a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0;
                int i = 0;
                for (; i + 3 < hw; i += 4) {
                    a0 += g[i];
                    a1 += g[i + 1];
                    a2 += g[i + 2];
                    a3 += g[i + 3];
                    b0 += g[i] * xHat[i];
                    b1 += g[i + 1] * xHat[i + 1];
                    b2 += g[i + 2] * xHat[i + 2];
                    b3 += g[i + 3] * xHat[i + 3];
                }
                for (; i < hw; i++) {
                    a0 += g[i];
                    b0 += g[i] * xHat[i];
                }
                sumG += (double) a0 + a1 + a2 + a3;
                sumGX += (double) b0 + b1 + b2 + b3;
            }
            dBeta[ch] = sumG;
            dGamma[ch] = sumGX;
            float scale = gammaC * invStd;
            float meanG = (float) (sumG / stats.perChannel());
            float meanGX = (float) (sumGX / stats.perChannel());
            for (int img = 0; img < n; img++) {
                int base = (img * c + ch) * hw;
                rows(in, grad, base, mean, invStd, gammaC, betaC, relu, xHat, g);
                for (int i = 0; i < hw; i++) {
                    g[i] = scale * (g[i] - meanG - xHat[i] * meanGX);
                }
                out.put(base, g);
            }
        });
    }

    /** One image's row of a channel: the normalised input, and the gradient passed back through the ReLU. */
    private static void rows(FloatBuffer in, FloatBuffer grad, int base, float mean, float invStd, float gamma,
            float beta, boolean relu, float[] xHat, float[] g) {
        in.get(base, xHat);
        grad.get(base, g);
        for (int i = 0; i < xHat.length; i++) {
            xHat[i] = (xHat[i] - mean) * invStd;
        }
        if (relu) {
            for (int i = 0; i < g.length; i++) {
                g[i] = throughRelu(g[i], gamma * xHat[i] + beta);
            }
        }
    }

    /**
     * {@code g} where {@code preActivation > 0}, else 0, without a branch: the ReLU mask is about half ones, and a
     * mispredicted branch per element (what the JIT made of a select here) doubled the backward pass.
     */
    static float throughRelu(float g, float preActivation) {
        int p = Float.floatToRawIntBits(preActivation);
        int keep = (-p & ~p) >> 31;
        return Float.intBitsToFloat(Float.floatToRawIntBits(g) & keep);
    }

}
