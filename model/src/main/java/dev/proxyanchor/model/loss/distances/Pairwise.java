package dev.proxyanchor.model.loss.distances;

/**
 * The matrix of a {@link Similarity} between two sets of rows, and the backward pass from dL/d(matrix) to the raw
 * rows (through the normalisation where the similarity has one).
 */
public final class Pairwise {

    private final Similarity similarity;
    private final boolean within;
    private final UnitVectors unitA;
    private final UnitVectors unitB;
    /** The compared vectors: unit rows, or the raw ones for {@link Similarity#DOT}. */
    private final Rows a;
    private final Rows b;
    private final double[] values;

    Pairwise(Similarity similarity, Rows rawA, Rows rawB, boolean within) {
        if (rawA.width() != rawB.width()) {
            throw new IllegalArgumentException("rows of width " + rawA.width() + " and " + rawB.width());
        }
        this.similarity = similarity;
        this.within = within;
        boolean normalise = similarity != Similarity.DOT;
        this.unitA = normalise ? UnitVectors.of(rawA) : null;
        this.unitB = !normalise ? null : within ? unitA : UnitVectors.of(rawB);
        this.a = normalise ? unitA.unit() : rawA;
        this.b = normalise ? unitB.unit() : rawB;
        this.values = new double[a.count() * b.count()];
        int n = b.count();
        for (int i = 0; i < a.count(); i++) {
            for (int j = 0; j < n; j++) {
                values[i * n + j] = similarity == Similarity.EUCLIDEAN ? distance(i, j) : a.dot(i, b, j);
            }
        }
    }

    private double distance(int i, int j) {
        if (within && i == j) {
            return 0;
        }
        double squared = a.squaredNorm(i) + b.squaredNorm(j) - 2 * a.dot(i, b, j);
        return squared > 0 ? Math.sqrt(squared) : 0;
    }

    public int rows() {
        return a.count();
    }

    public int cols() {
        return b.count();
    }

    public double get(int i, int j) {
        return values[i * b.count() + j];
    }

    /** The matrix, row-major; not a copy. */
    public double[] values() {
        return values;
    }

    /** dL/d(raw a) and dL/d(raw b) from dL/d(matrix), row-major like {@link #values()}. */
    public Rows[] backward(double[] dValues) {
        Rows[] compared = backwardToCompared(dValues);
        return unitA == null ? compared : new Rows[] {unitA.backward(compared[0]), unitB.backward(compared[1])};
    }

    /** dL/dx of a batch compared with itself ({@link Similarity#within}): both sides' gradients summed. */
    public Rows backwardWithin(double[] dValues) {
        if (!within) {
            throw new IllegalStateException("backwardWithin of a matrix between two sets of rows");
        }
        Rows[] compared = backwardToCompared(dValues);
        double[] sum = compared[0].values();
        double[] other = compared[1].values();
        for (int i = 0; i < sum.length; i++) {
            sum[i] += other[i];
        }
        return unitA == null ? compared[0] : unitA.backward(compared[0]);
    }

    /** dL/d(compared a), dL/d(compared b): the unit rows, or the raw ones for {@link Similarity#DOT}. */
    private Rows[] backwardToCompared(double[] dValues) {
        int n = b.count();
        int d = a.width();
        Rows dA = Rows.zeros(a.count(), d);
        Rows dB = Rows.zeros(n, d);
        double[] ga = dA.values();
        double[] gb = dB.values();
        double[] va = a.values();
        double[] vb = b.values();
        for (int i = 0; i < a.count(); i++) {
            for (int j = 0; j < n; j++) {
                double g = dValues[i * n + j];
                if (g == 0) {
                    continue;
                }
                if (similarity == Similarity.EUCLIDEAN) {
                    double dist = values[i * n + j];
                    if (dist == 0) {
                        continue;
                    }
                    // d sqrt(|a|^2 + |b|^2 - 2 a.b) / da = (a - b) / dist, and the negative for b.
                    double s = g / dist;
                    for (int c = 0; c < d; c++) {
                        double diff = s * (va[i * d + c] - vb[j * d + c]);
                        ga[i * d + c] += diff;
                        gb[j * d + c] -= diff;
                    }
                } else {
                    for (int c = 0; c < d; c++) {
                        ga[i * d + c] += g * vb[j * d + c];
                        gb[j * d + c] += g * va[i * d + c];
                    }
                }
            }
        }
        return new Rows[] {dA, dB};
    }
}
