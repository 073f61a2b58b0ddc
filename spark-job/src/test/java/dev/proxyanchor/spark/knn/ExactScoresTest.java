package dev.proxyanchor.spark.knn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ExactScoresTest {

    @Test
    void vectorAndScalarScoresAreBitIdentical() {
        assertTrue(ExactScores.vectorized(), "the tests run with --add-modules=jdk.incubator.vector");
        Random random = new Random(7);
        for (int dim : new int[] {1, 7, 8, 9, 64, 127, 512, 513}) {
            float[] a = new float[3 * dim];
            float[] b = new float[5 * dim];
            for (int trial = 0; trial < 200; trial++) {
                fill(random, a);
                fill(random, b);
                int ao = random.nextInt(3) * dim;
                int bo = random.nextInt(5) * dim;
                assertEquals(Float.floatToIntBits(ExactScores.scalarScore(a, ao, b, bo, dim)),
                        Float.floatToIntBits(VectorDot.score(a, ao, b, bo, dim)), "dim " + dim);
            }
        }
    }

    @Test
    void float32DotProductsInAnyOrderStayWithinTheBoundWhateverTheNorms() {
        Random random = new Random(8);
        for (int dim : new int[] {2, 16, 64, 512}) {
            for (int trial = 0; trial < 300; trial++) {
                float[] a = new float[dim];
                float[] b = new float[dim];
                fill(random, a);
                fill(random, b);
                // Norms from 1e-2 to 1e2 each, and the same direction, where cancellation is least.
                scale(a, Math.pow(10, -2 + 4 * random.nextDouble()));
                scale(b, Math.pow(10, -2 + 4 * random.nextDouble()));
                if (trial % 3 == 0) {
                    b = a.clone();
                }
                float exact = ExactScores.score(a, 0, b, 0, dim);
                float bound = ExactScores.gemmErrorBound(dim, ExactScores.norm(a, 0, dim),
                        ExactScores.norm(b, 0, dim));
                for (float gemmLike : new float[] {forward(a, b), backward(a, b), pairwise(a, b, 0, dim)}) {
                    assertTrue(Math.abs(gemmLike - exact) <= bound, "dim " + dim + ": |" + gemmLike + " - "
                            + exact + "| > " + bound);
                }
            }
        }
        assertEquals(ExactScores.gemmErrorBound(64, 1, 1) * 1e4f, ExactScores.gemmErrorBound(64, 100, 100),
                1e-3f * ExactScores.gemmErrorBound(64, 100, 100), "the bound scales with the norms");
    }

    private static void scale(float[] v, double norm) {
        double length = ExactScores.norm(v, 0, v.length);
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (v[i] / length * norm);
        }
    }

    private static float forward(float[] a, float[] b) {
        float sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }

    private static float backward(float[] a, float[] b) {
        float sum = 0;
        for (int i = a.length - 1; i >= 0; i--) {
            sum += a[i] * b[i];
        }
        return sum;
    }

    private static float pairwise(float[] a, float[] b, int from, int to) {
        if (to - from == 1) {
            return a[from] * b[from];
        }
        int mid = (from + to) >>> 1;
        return pairwise(a, b, from, mid) + pairwise(a, b, mid, to);
    }

    private static void fill(Random random, float[] values) {
        for (int i = 0; i < values.length; i++) {
            // Wide magnitudes make rounding differences visible if the two summation orders ever differed.
            values[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(7) - 3));
        }
    }
}
