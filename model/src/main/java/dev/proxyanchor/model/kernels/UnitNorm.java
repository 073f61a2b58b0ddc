package dev.proxyanchor.model.kernels;

/**
 * The two L2 normalisations of the official code, which differ for short vectors: Proxy-Anchor's
 * {@code v / sqrt(|v|^2 + 1e-12)} and pytorch-metric-learning's ({@code F.normalize}) {@code v / max(|v|, 1e-12)}.
 */
public enum UnitNorm {
    /** {@code sqrt(|v|^2 + 1e-12)}: Proxy-Anchor's {@code l2_norm}. */
    ROOT_WITH_EPSILON,
    /** {@code max(|v|, 1e-12)}: {@code F.normalize}; below 1e-12 the norm is the constant, with no gradient. */
    CLAMPED;

    public static final double EPS = 1e-12;

    /** The divisor of a row whose squared norm is {@code sumOfSquares}. */
    public double norm(double sumOfSquares) {
        return this == ROOT_WITH_EPSILON ? Math.sqrt(sumOfSquares + EPS) : Math.max(Math.sqrt(sumOfSquares), EPS);
    }

    /** Whether the divisor depends on the row (and so the backward pass projects out the row's direction). */
    public boolean hasGradient(double sumOfSquares) {
        return this == ROOT_WITH_EPSILON || Math.sqrt(sumOfSquares) >= EPS;
    }
}
