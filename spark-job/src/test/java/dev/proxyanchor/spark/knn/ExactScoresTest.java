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

    private static void fill(Random random, float[] values) {
        for (int i = 0; i < values.length; i++) {
            // Wide magnitudes make rounding differences visible if the two summation orders ever differed.
            values[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(7) - 3));
        }
    }
}
