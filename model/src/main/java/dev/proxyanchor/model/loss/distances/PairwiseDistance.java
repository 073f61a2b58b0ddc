package dev.proxyanchor.model.loss.distances;

/**
 * torch's {@code F.pairwise_distance(a, b)} between the unit rows of a batch, as the semi-hard triplet miner and the
 * triplet margin loss use it: {@code delta(a, b) = || unit(x_a) - unit(x_b) + 1e-6 ||_2}. torch adds its epsilon to
 * every coordinate of the difference, so {@code delta(a, a) = 1e-6 sqrt(D)} and {@code delta(a, b) != delta(b, a)};
 * the matrix is B x B and not symmetric.
 */
public final class PairwiseDistance {

    /** torch's {@code pairwise_distance} default. */
    public static final double EPS = 1e-6;

    private final UnitVectors unit;
    private final double[] delta;
    private final int count;

    private PairwiseDistance(UnitVectors unit, double[] delta, int count) {
        this.unit = unit;
        this.delta = delta;
        this.count = count;
    }

    public static PairwiseDistance of(Rows raw) {
        UnitVectors unit = UnitVectors.of(raw);
        Rows x = unit.unit();
        int n = x.count();
        int d = x.width();
        double[] v = x.values();
        double[] delta = new double[n * n];
        for (int a = 0; a < n; a++) {
            for (int b = 0; b < n; b++) {
                double sum = 0;
                for (int c = 0; c < d; c++) {
                    double diff = v[a * d + c] - v[b * d + c] + EPS;
                    sum += diff * diff;
                }
                delta[a * n + b] = Math.sqrt(sum);
            }
        }
        return new PairwiseDistance(unit, delta, n);
    }

    public double get(int a, int b) {
        return delta[a * count + b];
    }

    /** The B x B matrix, row-major; not a copy. */
    public double[] values() {
        return delta;
    }

    public int count() {
        return count;
    }

    /**
     * dL/dx from dL/d(delta) (B x B, row-major): {@code d delta(a,b) / d x^_a = (x^_a - x^_b + 1e-6) / delta(a,b)}, its
     * negative for {@code x^_b}, then through the normalisation.
     */
    public Rows backward(double[] dDelta) {
        Rows x = unit.unit();
        int d = x.width();
        double[] v = x.values();
        Rows dUnit = Rows.zeros(count, d);
        double[] g = dUnit.values();
        for (int a = 0; a < count; a++) {
            for (int b = 0; b < count; b++) {
                double upstream = dDelta[a * count + b];
                double dist = delta[a * count + b];
                if (upstream == 0 || dist == 0) {
                    continue;
                }
                double s = upstream / dist;
                for (int c = 0; c < d; c++) {
                    double diff = s * (v[a * d + c] - v[b * d + c] + EPS);
                    g[a * d + c] += diff;
                    g[b * d + c] -= diff;
                }
            }
        }
        return unit.backward(dUnit);
    }
}
