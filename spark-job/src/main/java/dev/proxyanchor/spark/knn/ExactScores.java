package dev.proxyanchor.spark.knn;

/**
 * The score that ranks neighbours: the inner product computed in double precision in a fixed order, rounded to
 * float32. float32 GEMM results depend on the block shape (BLAS kernels round differently at tile edges), so
 * GEMM scores only pick candidates; this function, which depends on the two vectors alone, decides the order.
 * That makes results independent of block sizes and partition counts.
 */
public final class ExactScores {

    private static final double FLOAT_UNIT_ROUNDOFF = 0x1.0p-24;
    private static final boolean VECTORIZED =
            ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    private ExactScores() {
    }

    /** Whether scores run on the Vector API ({@code --add-modules=jdk.incubator.vector}); same results either way. */
    public static boolean vectorized() {
        return VECTORIZED;
    }

    public static float score(float[] a, int aOffset, float[] b, int bOffset, int dim) {
        return VECTORIZED ? VectorDot.score(a, aOffset, b, bOffset, dim) : scalarScore(a, aOffset, b, bOffset, dim);
    }

    static float scalarScore(float[] a, int aOffset, float[] b, int bOffset, int dim) {
        // Eight accumulators in a fixed order: deterministic, and several times faster than one dependent chain.
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        double s4 = 0;
        double s5 = 0;
        double s6 = 0;
        double s7 = 0;
        int i = 0;
        for (; i + 7 < dim; i += 8) {
            s0 += (double) a[aOffset + i] * b[bOffset + i];
            s1 += (double) a[aOffset + i + 1] * b[bOffset + i + 1];
            s2 += (double) a[aOffset + i + 2] * b[bOffset + i + 2];
            s3 += (double) a[aOffset + i + 3] * b[bOffset + i + 3];
            s4 += (double) a[aOffset + i + 4] * b[bOffset + i + 4];
            s5 += (double) a[aOffset + i + 5] * b[bOffset + i + 5];
            s6 += (double) a[aOffset + i + 6] * b[bOffset + i + 6];
            s7 += (double) a[aOffset + i + 7] * b[bOffset + i + 7];
        }
        for (; i < dim; i++) {
            s0 += (double) a[aOffset + i] * b[bOffset + i];
        }
        return (float) (((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)));
    }

    /**
     * An upper bound on |GEMM score - {@link #score}| for two vectors of this dimension and these L2 norms: a
     * float32 dot product of length d, in any summation order, is within gamma_d * sum |a_i b_i| <= gamma_d |a| |b|
     * of the true value, gamma_d = d*u/(1-d*u) (Higham, Accuracy and Stability of Numerical Algorithms, 3.1), the
     * final roundings of both scores add u |a| |b| each, and products or sums that fall below float32's normal range
     * lose at most half a subnormal step each (the absolute term). For unit vectors (cosine similarity) the bound is
     * about d*u; without normalisation it grows with the product of the norms.
     */
    public static float gemmErrorBound(int dim, double normA, double normB) {
        double du = dim * FLOAT_UNIT_ROUNDOFF;
        double gamma = du / (1 - du);
        // 1.01: the norms themselves are rounded.
        double relative = 1.01 * gamma + 2 * FLOAT_UNIT_ROUNDOFF;
        double bound = relative * normA * normB + 2.0 * dim * Float.MIN_VALUE;
        // Rounded up to float, so that the comparisons in float never make the bound smaller than it is.
        return Math.nextUp((float) bound);
    }

    /** The L2 norm of a row, in double. */
    public static double norm(float[] vectors, int offset, int dim) {
        double sum = 0;
        for (int i = 0; i < dim; i++) {
            double x = vectors[offset + i];
            sum += x * x;
        }
        return Math.sqrt(sum);
    }
}
