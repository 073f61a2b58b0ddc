package dev.proxyanchor.model.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link BatchNormRows} on the JDK's Vector API (the widest float lanes the CPU has); loaded only when the JVM has
 * {@code --add-modules=jdk.incubator.vector}. Lane sums are reduced per row into the double accumulators.
 */
final class BatchNormVectorRows {

    private static final VectorSpecies<Float> LANES = FloatVector.SPECIES_PREFERRED;

    private BatchNormVectorRows() {
    }

    static void sums(float[] row, float shift, double[] acc) {
        FloatVector s = FloatVector.zero(LANES);
        FloatVector q = FloatVector.zero(LANES);
        int i = 0;
        for (; i < LANES.loopBound(row.length); i += LANES.length()) {
            FloatVector a = FloatVector.fromArray(LANES, row, i).sub(shift);
            s = s.add(a);
            q = a.fma(a, q);
        }
        double sum = s.reduceLanes(VectorOperators.ADD);
        double squares = q.reduceLanes(VectorOperators.ADD);
        for (; i < row.length; i++) {
            float a = row[i] - shift;
            sum += a;
            squares += a * a;
        }
        acc[0] += sum;
        acc[1] += squares;
    }

    static void gradientSums(float[] x, float[] g, float mean, float invStd, float gamma, float beta, boolean relu,
            double[] acc) {
        FloatVector sumG = FloatVector.zero(LANES);
        FloatVector sumGX = FloatVector.zero(LANES);
        int i = 0;
        for (; i < LANES.loopBound(x.length); i += LANES.length()) {
            FloatVector xHat = FloatVector.fromArray(LANES, x, i).sub(mean).mul(invStd);
            FloatVector grad = FloatVector.fromArray(LANES, g, i);
            if (relu) {
                grad = grad.blend(0f, xHat.fma(gamma, beta).compare(VectorOperators.LE, 0f));
                grad.intoArray(g, i);
            }
            xHat.intoArray(x, i);
            sumG = sumG.add(grad);
            sumGX = grad.fma(xHat, sumGX);
        }
        double a = sumG.reduceLanes(VectorOperators.ADD);
        double b = sumGX.reduceLanes(VectorOperators.ADD);
        for (; i < x.length; i++) {
            x[i] = (x[i] - mean) * invStd;
            if (relu) {
                g[i] = BatchNormRows.throughRelu(g[i], gamma * x[i] + beta);
            }
            a += g[i];
            b += g[i] * x[i];
        }
        acc[0] += a;
        acc[1] += b;
    }

    static void inputGradient(float[] x, float[] g, float mean, float invStd, float gamma, float beta, boolean relu,
            float scale, float meanG, float meanGX) {
        FloatVector zero = FloatVector.zero(LANES);
        FloatVector means = FloatVector.broadcast(LANES, mean);
        FloatVector invStds = FloatVector.broadcast(LANES, invStd);
        FloatVector gammas = FloatVector.broadcast(LANES, gamma);
        FloatVector betas = FloatVector.broadcast(LANES, beta);
        FloatVector scales = FloatVector.broadcast(LANES, scale);
        FloatVector meanGs = FloatVector.broadcast(LANES, meanG);
        FloatVector meanGXs = FloatVector.broadcast(LANES, meanGX);
        int i = 0;
        for (; i < LANES.loopBound(x.length); i += LANES.length()) {
            FloatVector xHat = FloatVector.fromArray(LANES, x, i).sub(means).mul(invStds);
            FloatVector grad = FloatVector.fromArray(LANES, g, i);
            if (relu) {
                grad = grad.blend(zero, xHat.fma(gammas, betas).compare(VectorOperators.LE, zero));
            }
            grad.sub(meanGs).sub(xHat.mul(meanGXs)).mul(scales).intoArray(g, i);
        }
        for (; i < x.length; i++) {
            float xHat = (x[i] - mean) * invStd;
            float grad = relu ? BatchNormRows.throughRelu(g[i], gamma * xHat + beta) : g[i];
            g[i] = scale * (grad - meanG - xHat * meanGX);
        }
    }
}
