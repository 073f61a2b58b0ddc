package dev.proxyanchor.model.layers;

import java.nio.FloatBuffer;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * BatchNorm's training-mode passes (batch statistics, ReLU optionally fused) over contiguous NCHW float32 data in
 * as few sweeps as the maths allows: forward reads the input twice (statistics, then output) and writes once;
 * backward reads input and gradient twice (the two per-channel sums, then the input gradient) and writes once.
 * BatchNorm is memory-bound, and composing it from ND4J ops took about three times as many sweeps. Channels are
 * split across the threads ND4J itself may use; each image's row of a channel is copied in bulk to a heap array
 * and worked on there (element-wise access through an NIO buffer is several times slower).
 *
 * <p>Statistics accumulate in double around a per-channel shift (the channel's first value), so the one-pass
 * variance does not cancel catastrophically when the mean is large against the spread.
 */
final class BatchNormKernels {

    private BatchNormKernels() {
    }

    /** Per-channel batch statistics of the last forward pass. */
    record Statistics(double[] mean, double[] biasedVariance, double[] invStd, long perChannel) {
    }

    static boolean accepts(INDArray... arrays) {
        for (INDArray a : arrays) {
            if (a.dataType() != DataType.FLOAT || a.ordering() != 'c' || a.elementWiseStride() != 1) {
                return false;
            }
        }
        return true;
    }

    /** out = gamma * (x - mean) * invStd + beta (then ReLU when {@code relu}); returns the batch statistics. */
    static Statistics forward(INDArray x, double[] gamma, double[] beta, double eps, boolean relu, INDArray out) {
        int n = (int) x.size(0);
        int c = (int) x.size(1);
        int hw = (int) (x.size(2) * x.size(3));
        FloatBuffer in = floats(x);
        FloatBuffer y = floats(out);
        double[] mean = new double[c];
        double[] var = new double[c];
        double[] invStd = new double[c];
        channels(c).forEach(ch -> {
            float[] row = new float[hw];
            float shift = in.get(ch * hw);
            double s = 0;
            double ss = 0;
            for (int img = 0; img < n; img++) {
                in.get((img * c + ch) * hw, row);
                double s0 = 0, s1 = 0, q0 = 0, q1 = 0;
                int i = 0;
                for (; i + 1 < hw; i += 2) {
                    float a = row[i] - shift;
                    float b = row[i + 1] - shift;
                    s0 += a;
                    s1 += b;
                    q0 += a * a;
                    q1 += b * b;
                }
                if (i < hw) {
                    float a = row[i] - shift;
                    s0 += a;
                    q0 += a * a;
                }
                s += s0 + s1;
                ss += q0 + q1;
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
        FloatBuffer in = floats(x);
        FloatBuffer grad = floats(dy);
        FloatBuffer out = floats(dx);
        channels(c).forEach(ch -> {
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
                double a0 = 0, a1 = 0, b0 = 0, b1 = 0;
                int i = 0;
                for (; i + 1 < hw; i += 2) {
                    a0 += g[i];
                    a1 += g[i] * xHat[i];
                    b0 += g[i + 1];
                    b1 += g[i + 1] * xHat[i + 1];
                }
                if (i < hw) {
                    a0 += g[i];
                    a1 += g[i] * xHat[i];
                }
                sumG += a0 + b0;
                sumGX += a1 + b1;
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

    /** The array's elements (it is contiguous): ND4J's NIO view starts at the buffer, not at a view's offset. */
    private static FloatBuffer floats(INDArray a) {
        return a.data().asNioFloat().slice((int) a.offset(), (int) a.length());
    }

    /** Channel indices, in parallel when ND4J may use more than one thread. */
    private static IntStream channels(int c) {
        IntStream all = IntStream.range(0, c);
        return Nd4j.getEnvironment().maxThreads() > 1 ? all.parallel() : all;
    }
}
