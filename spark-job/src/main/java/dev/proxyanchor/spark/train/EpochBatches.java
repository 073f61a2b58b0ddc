package dev.proxyanchor.spark.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Which training samples form each batch of an epoch, as the official code's data loaders draw them, seeded by
 * (seed, epoch) so that a run is reproducible and a resumed run sees the epochs it would have seen:
 * <ul>
 *   <li>default: a shuffled pass over the training set cut into batches of {@code batchSize}, the incomplete last
 *       batch dropped ({@code DataLoader(shuffle=True, drop_last=True)});</li>
 *   <li>{@code --IPC k}: the official {@code BalancedSampler}: each batch draws batchSize / k distinct classes and
 *       k images of each (with replacement), len(train) / batchSize batches per epoch.</li>
 * </ul>
 * Batches hold sample indices into the training list.
 */
public final class EpochBatches {

    private EpochBatches() {
    }

    public static List<int[]> plan(int[] labels, int batchSize, int imagesPerClass, long seed, int epoch) {
        SplittableRandom random = new SplittableRandom(seed * 1_000_003L + epoch);
        return imagesPerClass > 0
                ? balanced(labels, batchSize, imagesPerClass, random)
                : shuffled(labels.length, batchSize, random);
    }

    private static List<int[]> shuffled(int size, int batchSize, SplittableRandom random) {
        int[] order = new int[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        for (int i = size - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        List<int[]> batches = new ArrayList<>();
        for (int start = 0; start + batchSize <= size; start += batchSize) {
            batches.add(Arrays.copyOfRange(order, start, start + batchSize));
        }
        return batches;
    }

    private static List<int[]> balanced(int[] labels, int batchSize, int imagesPerClass, SplittableRandom random) {
        TreeMap<Integer, List<Integer>> byClass = new TreeMap<>();
        for (int i = 0; i < labels.length; i++) {
            byClass.computeIfAbsent(labels[i], k -> new ArrayList<>()).add(i);
        }
        List<List<Integer>> classes = new ArrayList<>(byClass.values());
        int classesPerBatch = batchSize / imagesPerClass;
        int numBatches = labels.length / batchSize;
        List<int[]> batches = new ArrayList<>();
        for (int b = 0; b < numBatches; b++) {
            int[] chosen = chooseDistinct(classes.size(), classesPerBatch, random);
            int[] batch = new int[classesPerBatch * imagesPerClass];
            int k = 0;
            for (int c : chosen) {
                List<Integer> members = classes.get(c);
                for (int i = 0; i < imagesPerClass; i++) {
                    batch[k++] = members.get(random.nextInt(members.size()));
                }
            }
            batches.add(batch);
        }
        return batches;
    }

    private static int[] chooseDistinct(int n, int count, SplittableRandom random) {
        int[] pool = new int[n];
        for (int i = 0; i < n; i++) {
            pool[i] = i;
        }
        for (int i = 0; i < count; i++) {
            int j = i + random.nextInt(n - i);
            int t = pool[i];
            pool[i] = pool[j];
            pool[j] = t;
        }
        return Arrays.copyOf(pool, count);
    }
}
