package dev.proxyanchor.spark.knn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TopKFloorTest {

    @Test
    void theFloorIsReachedByAtLeastKScoresAndNeverExceedsTheKthBest() {
        Random random = new Random(3);
        int[] histogram = new int[64];
        for (int trial = 0; trial < 2000; trial++) {
            int count = 1 + random.nextInt(400);
            int k = 1 + random.nextInt(count);
            float[] scores = new float[count];
            for (int i = 0; i < count; i++) {
                scores[i] = switch (trial % 4) {
                    case 0 -> random.nextInt(5);
                    case 1 -> (float) random.nextGaussian() * 1e-6f;
                    case 2 -> 0.5f;
                    default -> (float) random.nextGaussian();
                };
            }
            float[] sorted = scores.clone();
            Arrays.sort(sorted);
            float kth = sorted[count - k];

            float bound = TopK.kthLowerBound(scores, count, k, histogram);

            long reaching = 0;
            for (float s : scores) {
                reaching += s >= bound ? 1 : 0;
            }
            assertTrue(bound <= kth, "bound " + bound + " above the K-th best " + kth);
            assertTrue(reaching >= k, reaching + " scores reach the bound, K = " + k);
        }
    }
}
