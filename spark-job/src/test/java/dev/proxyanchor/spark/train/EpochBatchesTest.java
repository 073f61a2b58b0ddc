package dev.proxyanchor.spark.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EpochBatchesTest {

    private static int[] labels(int classes, int perClass) {
        int[] labels = new int[classes * perClass];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % classes;
        }
        return labels;
    }

    @Test
    void shuffledEpochVisitsEveryImageAtMostOnceAndDropsTheShortBatch() {
        List<int[]> batches = EpochBatches.plan(labels(7, 15), 10, 0, 1, 0);
        assertEquals(10, batches.size(), "105 images in batches of 10, the last 5 dropped");
        Set<Integer> seen = new HashSet<>();
        for (int[] b : batches) {
            assertEquals(10, b.length);
            for (int i : b) {
                assertTrue(seen.add(i), "image " + i + " twice in one epoch");
            }
        }
    }

    @Test
    void classBalancedBatchesHoldImagesPerClassOfDistinctClasses() {
        int[] labels = labels(20, 9);
        List<int[]> batches = EpochBatches.plan(labels, 12, 3, 1, 0);
        assertEquals(labels.length / 12, batches.size());
        for (int[] b : batches) {
            Map<Integer, Integer> perClass = new HashMap<>();
            for (int i : b) {
                perClass.merge(labels[i], 1, Integer::sum);
            }
            assertEquals(4, perClass.size(), "batch 12 / IPC 3 = 4 classes");
            perClass.values().forEach(n -> assertEquals(3, n));
        }
    }

    @Test
    void sameSeedAndEpochGiveTheSamePlanOtherEpochsDiffer() {
        int[] labels = labels(5, 40);
        assertArrayEquals(EpochBatches.plan(labels, 16, 0, 9, 2).get(0), EpochBatches.plan(labels, 16, 0, 9, 2).get(0));
        assertNotEquals(List.of(EpochBatches.plan(labels, 16, 0, 9, 2).get(0)[0]),
                List.of(EpochBatches.plan(labels, 16, 0, 9, 3).get(0)[0]));
    }
}
