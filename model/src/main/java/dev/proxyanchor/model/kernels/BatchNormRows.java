package dev.proxyanchor.model.kernels;

/**
 * The per-row arithmetic of {@link BatchNormKernels}: one image's row of one channel at a time, small enough to stay
 * in L1. Runs on SIMD lanes ({@link BatchNormVectorRows}) when the JVM has {@code --add-modules=jdk.incubator.vector}
 * (submit/java-opts.sh and the tests pass it), else as scalar code with four independent float accumulators. The
 * two differ only in summation order.
 */
class BatchNormRows {

    static final boolean VECTORIZED = dev.proxyanchor.model.runtime.ContiguousFloats.VECTOR_API;

    /** acc[0] += sum(x - shift), acc[1] += sum((x - shift)^2) over {@code row}. */
    static void sums(float[] row, float shift, double[] acc) {
        if (VECTORIZED) {
            BatchNormVectorRows.sums(row, shift, acc);
        } else {
            scalarSums(row, shift, acc);
        }
    }

    /**
     * Turns {@code x} into xHat = (x - mean) * invStd and {@code g} into the gradient behind the ReLU (kept where
     * gamma * xHat + beta > 0) when {@code relu}; acc[0] += sum(g), acc[1] += sum(g * xHat).
     */
    static void gradientSums(float[] x, float[] g, float mean, float invStd, float gamma, float beta, boolean relu,
            double[] acc) {
        if (VECTORIZED) {
            BatchNormVectorRows.gradientSums(x, g, mean, invStd, gamma, beta, relu, acc);
        } else {
            scalarGradientSums(x, g, mean, invStd, gamma, beta, relu, acc);
        }
    }

    /**
     * Overwrites {@code g} (the gradient at the layer's output) with the gradient at its input,
     * scale * (g' - meanG - xHat * meanGX), where g' is g behind the ReLU when {@code relu}; {@code x} is unchanged.
     */
    static void inputGradient(float[] x, float[] g, float mean, float invStd, float gamma, float beta, boolean relu,
            float scale, float meanG, float meanGX) {
        if (VECTORIZED) {
            BatchNormVectorRows.inputGradient(x, g, mean, invStd, gamma, beta, relu, scale, meanG, meanGX);
        } else {
            scalarInputGradient(x, g, mean, invStd, gamma, beta, relu, scale, meanG, meanGX);
        }
    }

    static void scalarInputGradient(float[] x, float[] g, float mean, float invStd, float gamma, float beta,
            boolean relu, float scale, float meanG, float meanGX) {
        for (int i = 0; i < x.length; i++) {
            float xHat = (x[i] - mean) * invStd;
            float grad = relu ? throughRelu(g[i], gamma * xHat + beta) : g[i];
            g[i] = scale * (grad - meanG - xHat * meanGX);
        }
    }

    static void scalarSums(float[] row, float shift, double[] acc) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0, q0 = 0, q1 = 0, q2 = 0, q3 = 0;
        int i = 0;
        for (; i + 3 < row.length; i += 4) {
            float a = row[i] - shift;
            float b = row[i + 1] - shift;
            float c = row[i + 2] - shift;
            float d = row[i + 3] - shift;
            s0 += a;
            s1 += b;
            s2 += c;
            s3 += d;
            q0 += a * a;
            q1 += b * b;
            q2 += c * c;
            q3 += d * d;
        }
        for (; i < row.length; i++) {
            float a = row[i] - shift;
            s0 += a;
            q0 += a * a;
        }
        acc[0] += (double) s0 + s1 + s2 + s3;
        acc[1] += (double) q0 + q1 + q2 + q3;
    }

    static void scalarGradientSums(float[] x, float[] g, float mean, float invStd, float gamma, float beta,
            boolean relu, double[] acc) {
        for (int i = 0; i < x.length; i++) {
            x[i] = (x[i] - mean) * invStd;
        }
        if (relu) {
            for (int i = 0; i < g.length; i++) {
                g[i] = throughRelu(g[i], gamma * x[i] + beta);
            }
        }
        float a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0;
        int i = 0;
        for (; i + 3 < g.length; i += 4) {
            a0 += g[i];
            a1 += g[i + 1];
            a2 += g[i + 2];
            a3 += g[i + 3];
            b0 += g[i] * x[i];
            b1 += g[i + 1] * x[i + 1];
            b2 += g[i + 2] * x[i + 2];
            b3 += g[i + 3] * x[i + 3];
        }
        for (; i < g.length; i++) {
            a0 += g[i];
            b0 += g[i] * x[i];
        }
        acc[0] += (double) a0 + a1 + a2 + a3;
        acc[1] += (double) b0 + b1 + b2 + b3;
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
