package dev.proxyanchor.model.loss.distances;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each similarity's values by hand and its backward pass against central differences of
 * {@code sum(G .* matrix)}, between two sets of rows and within one batch (rows of very different norms, one
 * exact duplicate direction, one zero row).
 */
class SimilarityTest {

    private static final double H = 1e-6;

    @Test
    void valuesByHand() {
        Rows a = new Rows(new double[] {3, 4, 0, 0, 0, 2}, 2, 3);
        Rows b = new Rows(new double[] {0, 1, 0}, 1, 3);
        Pairwise cos = Similarity.COSINE.between(a, b);
        assertEquals(0.8, cos.get(0, 0), 1e-15);
        assertEquals(0.0, cos.get(1, 0), 1e-15);
        assertEquals(4.0, Similarity.DOT.between(a, b).get(0, 0), 0);
        assertEquals(Math.sqrt(0.4), Similarity.EUCLIDEAN.between(a, b).get(0, 0), 1e-15);
        assertEquals(Math.sqrt(2), Similarity.EUCLIDEAN.between(a, b).get(1, 0), 1e-15);
    }

    @Test
    void euclideanIsZeroWithZeroGradientForDuplicatesAndOnTheDiagonal() {
        // Rows 0 and 1 point the same way at different scales (exact dyadic unit vectors).
        Rows x = new Rows(new double[] {0.5, 0.5, 0.5, 0.5, 2, 2, 2, 2, 1, 0, 0, 0}, 3, 4);
        Pairwise d = Similarity.EUCLIDEAN.within(x);
        assertEquals(0.0, d.get(0, 1), 0);
        assertEquals(0.0, d.get(2, 2), 0);
        double[] g = new double[9];
        g[1] = 1;
        g[3] = 1;
        g[8] = 1;
        for (double v : d.backwardWithin(g).values()) {
            assertEquals(0.0, v, 0);
        }
    }

    @ParameterizedTest
    @EnumSource(Similarity.class)
    void backwardBetweenTwoSetsMatchesCentralDifferences(Similarity similarity) {
        Random random = new Random(3);
        Rows a = random(random, 4, 5);
        Rows b = random(random, 3, 5);
        double[] g = gaussian(random, 12);
        Rows[] analytic = similarity.between(a, b).backward(g);
        assertClose(numeric(a, x -> weighted(similarity.between(x, b).values(), g)), analytic[0]);
        assertClose(numeric(b, x -> weighted(similarity.between(a, x).values(), g)), analytic[1]);
    }

    @ParameterizedTest
    @EnumSource(Similarity.class)
    void backwardWithinABatchMatchesCentralDifferences(Similarity similarity) {
        Random random = new Random(5);
        Rows x = random(random, 5, 4);
        double[] g = gaussian(random, 25);
        Rows analytic = similarity.within(x).backwardWithin(g);
        assertClose(numeric(x, rows -> weighted(similarity.within(rows).values(), g)), analytic);
    }

    @Test
    void triplesDistanceAddsItsEpsilonToEveryCoordinateAndMatchesCentralDifferences() {
        Random random = new Random(9);
        Rows x = random(random, 4, 6);
        PairwiseDistance delta = PairwiseDistance.of(x);
        assertEquals(1e-6 * Math.sqrt(6), delta.get(2, 2), 1e-18);
        assertTrue(delta.get(0, 1) != delta.get(1, 0), "torch's epsilon makes the distance asymmetric");
        double[] g = gaussian(random, 16);
        assertClose(numeric(x, rows -> weighted(PairwiseDistance.of(rows).values(), g)), delta.backward(g));
    }

    @Test
    void clampFormLeavesTinyRowsUnnormalised() {
        Rows tiny = new Rows(new double[] {1e-13, 0}, 1, 2);
        UnitVectors unit = UnitVectors.of(tiny);
        assertEquals(0.1, unit.unit().values()[0], 1e-15);
        assertEquals(1e12, unit.backward(new Rows(new double[] {1, 0}, 1, 2)).values()[0], 1e-3);
    }

    private static double weighted(double[] values, double[] g) {
        double sum = 0;
        for (int i = 0; i < values.length; i++) {
            sum += values[i] * g[i];
        }
        return sum;
    }

    private static Rows numeric(Rows at, ToDoubleFunction<Rows> f) {
        double[] grad = new double[at.values().length];
        for (int i = 0; i < grad.length; i++) {
            double[] plus = at.values().clone();
            double[] minus = at.values().clone();
            plus[i] += H;
            minus[i] -= H;
            grad[i] = (f.applyAsDouble(new Rows(plus, at.count(), at.width()))
                    - f.applyAsDouble(new Rows(minus, at.count(), at.width()))) / (2 * H);
        }
        return new Rows(grad, at.count(), at.width());
    }

    /** Rows of norms between about 0.1 and 10. */
    private static Rows random(Random random, int count, int width) {
        double[] v = new double[count * width];
        for (int r = 0; r < count; r++) {
            double scale = Math.pow(10, random.nextDouble() * 2 - 1);
            for (int c = 0; c < width; c++) {
                v[r * width + c] = random.nextGaussian() * scale;
            }
        }
        return new Rows(v, count, width);
    }

    private static double[] gaussian(Random random, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = random.nextGaussian();
        }
        return v;
    }

    private static void assertClose(Rows expected, Rows actual) {
        for (int i = 0; i < expected.values().length; i++) {
            double e = expected.values()[i];
            assertEquals(e, actual.values()[i], 1e-6 * Math.max(1, Math.abs(e)), "element " + i);
        }
    }
}
