package dev.proxyanchor.spark.knn;

import java.util.Arrays;
import java.util.function.IntToLongFunction;

/**
 * The bounded top-K selection of a block of queries, fed one row of GEMM scores at a time, without boxing.
 *
 * <p>Per query it keeps a min-heap of the K best GEMM scores seen (its root is the running K-th score) and a
 * buffer of every candidate whose GEMM score is at least that running K-th score minus twice the GEMM error
 * bound. Anything below that floor cannot be among the K best by {@link ExactScores exact score}: K items already
 * beat it by more than the error on both sides. {@link #finish} keeps the K best in exact neighbour order,
 * rescoring only where GEMM rounding could have changed it, so the result does not depend on how GEMM rounded.
 */
final class TopK {

    /** Where the candidates of one query come from: row positions in the searched gallery. */
    interface Gallery {
        long id(int row);

        int label(int row);

        float exactScore(int query, int row);
    }

    private final int k;
    private final float slack;
    private final float[][] heaps;
    private final int[] heapSizes;
    private final float[] floors;
    private final float[][] candidateScores;
    private final int[][] candidateRows;
    private final int[] candidateCounts;

    TopK(int queries, int k, float gemmErrorBound) {
        this.k = k;
        this.slack = 2 * gemmErrorBound;
        this.heaps = new float[queries][k];
        this.heapSizes = new int[queries];
        this.floors = new float[queries];
        Arrays.fill(floors, Float.NEGATIVE_INFINITY);
        this.candidateScores = new float[queries][];
        this.candidateRows = new int[queries][];
        this.candidateCounts = new int[queries];
        int initialCapacity = 2 * k + 16;
        for (int q = 0; q < queries; q++) {
            candidateScores[q] = new float[initialCapacity];
            candidateRows[q] = new int[initialCapacity];
        }
    }

    /**
     * Offers {@code length} GEMM scores of one query, for gallery rows {@code firstRow, firstRow + 1, ...};
     * {@code excludedOffset} (or -1) is the offset of the query itself in self retrieval.
     */
    void offer(int query, float[] scores, int offset, int length, int firstRow, int excludedOffset) {
        float floor = floors[query];
        for (int j = 0; j < length; j++) {
            float s = scores[offset + j];
            if (s >= floor && j != excludedOffset) {
                floor = accept(query, s, firstRow + j);
            }
        }
    }

    private float accept(int query, float score, int row) {
        float[] heap = heaps[query];
        int size = heapSizes[query];
        if (size < k) {
            siftUp(heap, size, score);
            heapSizes[query] = size + 1;
        } else if (score > heap[0]) {
            siftDownFromRoot(heap, k, score);
        }
        if (heapSizes[query] == k) {
            floors[query] = heap[0] - slack;
        }
        append(query, score, row);
        return floors[query];
    }

    private void append(int query, float score, int row) {
        int count = candidateCounts[query];
        if (count == candidateScores[query].length) {
            count = compact(query);
            if (count > candidateScores[query].length * 3 / 4) {
                int capacity = candidateScores[query].length * 2;
                candidateScores[query] = Arrays.copyOf(candidateScores[query], capacity);
                candidateRows[query] = Arrays.copyOf(candidateRows[query], capacity);
            }
        }
        candidateScores[query][count] = score;
        candidateRows[query][count] = row;
        candidateCounts[query] = count + 1;
    }

    /** Drops the candidates that fell below the floor since they were taken. */
    private int compact(int query) {
        float floor = floors[query];
        float[] scores = candidateScores[query];
        int[] rows = candidateRows[query];
        int kept = 0;
        for (int c = 0; c < candidateCounts[query]; c++) {
            if (scores[c] >= floor) {
                scores[kept] = scores[c];
                rows[kept] = rows[c];
                kept++;
            }
        }
        candidateCounts[query] = kept;
        return kept;
    }

    /**
     * The K best candidates of one query in exact neighbour order. Sorted by GEMM score, the candidates fall into
     * chains whose consecutive scores differ by at most the slack; across a wider gap GEMM rounding cannot have
     * swapped two items, so only chains of two or more are rescored exactly and reordered (score, then id).
     * Scores of the items left alone stay their GEMM scores, which are within the error bound of the exact ones.
     * With {@code exactScores} every candidate is rescored, so that lists from different gallery shards can be
     * merged by score.
     */
    NeighbourList finish(int query, long queryId, int queryLabel, Gallery gallery, boolean exactScores) {
        int count = compact(query);
        float[] gemm = candidateScores[query];
        int[] rows = candidateRows[query];
        long[] order = new long[count];
        for (int c = 0; c < count; c++) {
            order[c] = ((long) descendingKey(gemm[c]) << 32) | c;
        }
        Arrays.sort(order);
        int n = Math.min(k, count);
        long[] ids = new long[n];
        int[] labels = new int[n];
        float[] scores = new float[n];
        if (exactScores) {
            rescoreChain(query, order, 0, count, rows, gallery, ids, labels, scores);
            return new NeighbourList(queryId, queryLabel, ids, labels, scores);
        }
        int chainStart = 0;
        while (chainStart < n) {
            int chainEnd = chainStart + 1;
            while (chainEnd < count && gemm[(int) order[chainEnd - 1]] - gemm[(int) order[chainEnd]] <= slack) {
                chainEnd++;
            }
            if (chainEnd - chainStart == 1) {
                int c = (int) order[chainStart];
                ids[chainStart] = gallery.id(rows[c]);
                labels[chainStart] = gallery.label(rows[c]);
                scores[chainStart] = gemm[c];
            } else {
                rescoreChain(query, order, chainStart, chainEnd, rows, gallery, ids, labels, scores);
            }
            chainStart = chainEnd;
        }
        return new NeighbourList(queryId, queryLabel, ids, labels, scores);
    }

    /** Orders candidates {@code order[from..to)} exactly and writes those that land before position K. */
    private static void rescoreChain(int query, long[] order, int from, int to, int[] rows, Gallery gallery,
            long[] ids, int[] labels, float[] scores) {
        int length = to - from;
        float[] exact = new float[length];
        long[] chain = new long[length];
        for (int i = 0; i < length; i++) {
            int c = (int) order[from + i];
            exact[i] = gallery.exactScore(query, rows[c]);
            chain[i] = ((long) descendingKey(exact[i]) << 32) | i;
        }
        Arrays.sort(chain);
        breakTiesById(chain, exact, i -> gallery.id(rows[(int) order[from + i]]));
        for (int i = 0; i < length && from + i < ids.length; i++) {
            int member = (int) chain[i];
            int row = rows[(int) order[from + member]];
            ids[from + i] = gallery.id(row);
            labels[from + i] = gallery.label(row);
            scores[from + i] = exact[member];
        }
    }

    /** Within each run of equal scores (sorted by position so far) puts smaller gallery ids first. */
    private static void breakTiesById(long[] order, float[] exact, IntToLongFunction idOf) {
        int start = 0;
        while (start < order.length) {
            int end = start + 1;
            float s = exact[(int) order[start]];
            while (end < order.length && Float.compare(exact[(int) order[end]], s) == 0) {
                end++;
            }
            for (int i = start + 1; i < end; i++) {
                long moving = order[i];
                long movingId = idOf.applyAsLong((int) moving);
                int j = i - 1;
                while (j >= start && idOf.applyAsLong((int) order[j]) > movingId) {
                    order[j + 1] = order[j];
                    j--;
                }
                order[j + 1] = moving;
            }
            start = end;
        }
    }

    /** An int whose signed order is the descending order of the float (Float.compare's order, -0.0 < 0.0). */
    private static int descendingKey(float f) {
        int bits = Float.floatToIntBits(f);
        return ~(bits ^ ((bits >> 31) & 0x7fffffff));
    }

    private static void siftUp(float[] heap, int position, float value) {
        int i = position;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (heap[parent] <= value) {
                break;
            }
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = value;
    }

    private static void siftDownFromRoot(float[] heap, int size, float value) {
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && heap[child + 1] < heap[child]) {
                child++;
            }
            if (heap[child] >= value) {
                break;
            }
            heap[i] = heap[child];
            i = child;
        }
        heap[i] = value;
    }
}
