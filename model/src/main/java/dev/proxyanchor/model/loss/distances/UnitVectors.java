package dev.proxyanchor.model.loss.distances;

/**
 * Rows divided by their L2 norm in pytorch-metric-learning's (and {@code F.normalize}'s) clamp form,
 * {@code v / max(||v||, 1e-12)}, and the backward pass through it. Not Proxy-Anchor's
 * {@code v / sqrt(||v||^2 + 1e-12)}: the two differ for short vectors, and only the clamp form maps exact duplicates
 * of different scale to the same unit vector.
 */
public final class UnitVectors {

    public static final double EPS = 1e-12;

    private final Rows unit;
    /** max(||v||, 1e-12) of each row. */
    private final double[] norms;
    /** Rows shorter than 1e-12, whose norm the clamp replaced. */
    private final boolean[] clamped;

    private UnitVectors(Rows unit, double[] norms, boolean[] clamped) {
        this.unit = unit;
        this.norms = norms;
        this.clamped = clamped;
    }

    public static UnitVectors of(Rows raw) {
        double[] out = new double[raw.values().length];
        double[] norms = new double[raw.count()];
        boolean[] clamped = new boolean[raw.count()];
        int d = raw.width();
        for (int r = 0; r < raw.count(); r++) {
            double norm = Math.sqrt(raw.squaredNorm(r));
            clamped[r] = norm < EPS;
            norms[r] = clamped[r] ? EPS : norm;
            for (int c = 0; c < d; c++) {
                out[r * d + c] = raw.values()[r * d + c] / norms[r];
            }
        }
        return new UnitVectors(new Rows(out, raw.count(), d), norms, clamped);
    }

    public Rows unit() {
        return unit;
    }

    /**
     * dL/draw from dL/dunit: {@code (g - u (u . g)) / ||v||}, or {@code g / 1e-12} where the clamp holds (the norm
     * then has no gradient, as torch's {@code clamp}).
     */
    public Rows backward(Rows dUnit) {
        int d = unit.width();
        double[] out = new double[dUnit.values().length];
        for (int r = 0; r < unit.count(); r++) {
            double along = clamped[r] ? 0 : unit.dot(r, dUnit, r);
            for (int c = 0; c < d; c++) {
                int i = r * d + c;
                out[i] = (dUnit.values()[i] - unit.values()[i] * along) / norms[r];
            }
        }
        return new Rows(out, unit.count(), d);
    }
}
