package dev.proxyanchor.spark.knn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntToLongFunction;

/**
 * The bounded top-K selection of a block of queries, fed one row of GEMM scores at a time, without boxing.
 *
 * <p>Per query it buffers every candidate whose GEMM score is at least a floor: a score that K candidates seen so
 * far reach, minus twice the GEMM error bound. Anything below that floor cannot be among the K best by
 * {@link ExactScores exact score}: K items already beat it by more than the error on both sides. When the buffer
 * fills, a histogram of the buffer gives the highest such score it can (at most the K-th best), the floor rises
 * and what fell below it is dropped: amortised O(1) per candidate, where a heap costs O(log K) per accepted
 * candidate. {@link #finish} keeps the K best in exact neighbour order, rescoring only where GEMM rounding could
 * have changed it, so the result does not depend on how
 * GEMM rounded.
 */
final class TopK {

    private static final int HISTOGRAM_BINS = 1024;

    /** Where the candidates of one query come from: row positions in the searched gallery. */
    interface Gallery {
        long id(int row);

        int label(int row);

        float exactScore(int query, int row);
    }

    private final int k;
    /** Per query: twice its GEMM error bound. */
    private final float[] slacks;
    private final float[] floors;
    private final float[][] candidateScores;
    private final int[][] candidateRows;
    private final int[] candidateCounts;
    private final int[] histogram = new int[HISTOGRAM_BINS];

    /** {@code gemmErrorBounds[q]}: a bound on the GEMM error of every score of query {@code q}. */
    TopK(int queries, int k, float[] gemmErrorBounds) {
        this.k = k;
        this.slacks = new float[queries];
        for (int q = 0; q < queries; q++) {
            slacks[q] = 2 * gemmErrorBounds[q];
        }
        this.floors = new float[queries];
        Arrays.fill(floors, Float.NEGATIVE_INFINITY);
        this.candidateScores = new float[queries][];
        this.candidateRows = new int[queries][];
        this.candidateCounts = new int[queries];
        int initialCapacity = 4 * k + 64;
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
        float[] buffered = candidateScores[query];
        int[] rows = candidateRows[query];
        int count = candidateCounts[query];
        int end = offset + length;
        for (int at = offset; at < end; at++) {
            // Most scores fall below the floor: a bare search loop for the next one that does not.
            while (at < end && scores[at] < floor) {
                at++;
            }
            if (at == end) {
                break;
            }
            int j = at - offset;
            if (j == excludedOffset) {
                continue;
            }
            buffered[count] = scores[at];
            rows[count] = firstRow + j;
            if (++count == buffered.length) {
                candidateCounts[query] = count;
                count = raiseFloor(query);
                floor = floors[query];
                buffered = candidateScores[query];
                rows = candidateRows[query];
            }
        }
        candidateCounts[query] = count;
    }

    /**
     * Sets the floor from the K-th best buffered score and drops the candidates below it; grows the buffer when
     * near-ties keep it more than three quarters full. Returns the new count.
     */
    private int raiseFloor(int query) {
        int count = candidateCounts[query];
        if (count > k) {
            floors[query] = Math.max(floors[query],
                    kthLowerBound(candidateScores[query], count, k, histogram) - slacks[query]);
        }
        int kept = compact(query);
        if (kept > candidateScores[query].length * 3 / 4) {
            int capacity = candidateScores[query].length * 2;
            candidateScores[query] = Arrays.copyOf(candidateScores[query], capacity);
            candidateRows[query] = Arrays.copyOf(candidateRows[query], capacity);
        }
        return kept;
    }

    /** Drops the candidates below the floor. */
    private int compact(int query) {
        float floor = floors[query];
        float[] scores = candidateScores[query];
        int[] rows = candidateRows[query];
        int kept = 0;
        for (int c = 0; c < candidateCounts[query]; c++) {
            float s = scores[c];
            scores[kept] = s;
            rows[kept] = rows[c];
            kept += s >= floor ? 1 : 0;
        }
        candidateCounts[query] = kept;
        return kept;
    }

    /**
     * The K best candidates of every query in exact neighbour order, as {@link NeighbourList}s. Sorted by GEMM
     * score, the candidates fall into chains whose consecutive scores differ by at most the slack; across a wider
     * gap GEMM rounding cannot have swapped two items, so only chains of two or more are rescored exactly and
     * reordered (score, then id). Scores of the items left alone stay their GEMM scores, which are within the
     * error bound of the exact ones. With {@code exactScores} every candidate is rescored, so that lists from
     * different gallery shards can be merged by score.
     *
     * <p>The exact scores of the whole query block are computed in gallery-row order, so each gallery vector is
     * read from memory once for all the queries that need it rather than once per query.
     */
    List<NeighbourList> finish(long[] queryIds, int[] queryLabels, int galleryRows, Gallery gallery,
            boolean exactScores) {
        int queries = queryIds.length;
        int[][] orders = new int[queries][];
        boolean[][] rescored = new boolean[queries][];
        int requests = 0;
        for (int q = 0; q < queries; q++) {
            if (candidateCounts[q] > k) {
                raiseFloor(q);
            }
            orders[q] = byGemmScore(q);
            rescored[q] = chainsToRescore(q, orders[q], exactScores);
            for (boolean r : rescored[q]) {
                requests += r ? 1 : 0;
            }
        }
        float[][] exact = exactScoresByRow(orders, rescored, requests, galleryRows, gallery);

        List<NeighbourList> lists = new ArrayList<>(queries);
        for (int q = 0; q < queries; q++) {
            lists.add(ordered(q, queryIds[q], queryLabels[q], orders[q], rescored[q], exact[q], gallery));
        }
        return lists;
    }

    /** Candidate indices of one query, best GEMM score first. */
    private int[] byGemmScore(int query) {
        int count = candidateCounts[query];
        float[] gemm = candidateScores[query];
        long[] keys = new long[count];
        for (int c = 0; c < count; c++) {
            keys[c] = ((long) descendingKey(gemm[c]) << 32) | c;
        }
        Arrays.sort(keys);
        int[] order = new int[count];
        for (int i = 0; i < count; i++) {
            order[i] = (int) keys[i];
        }
        return order;
    }

    /** Per position of {@code order}: whether that candidate needs its exact score. */
    private boolean[] chainsToRescore(int query, int[] order, boolean exactScores) {
        int count = order.length;
        boolean[] rescore = new boolean[count];
        if (exactScores) {
            Arrays.fill(rescore, true);
            return rescore;
        }
        float[] gemm = candidateScores[query];
        int n = Math.min(k, count);
        int chainStart = 0;
        while (chainStart < n) {
            int chainEnd = chainEnd(gemm, order, chainStart, slacks[query]);
            if (chainEnd - chainStart > 1) {
                Arrays.fill(rescore, chainStart, chainEnd, true);
            }
            chainStart = chainEnd;
        }
        return rescore;
    }

    private static int chainEnd(float[] gemm, int[] order, int chainStart, float slack) {
        int chainEnd = chainStart + 1;
        while (chainEnd < order.length && gemm[order[chainEnd - 1]] - gemm[order[chainEnd]] <= slack) {
            chainEnd++;
        }
        return chainEnd;
    }

    /** Exact scores of the marked candidates, computed in gallery-row order (a counting sort by row). */
    private float[][] exactScoresByRow(int[][] orders, boolean[][] rescored, int requests, int galleryRows,
            Gallery gallery) {
        int[] starts = new int[galleryRows + 1];
        for (int q = 0; q < orders.length; q++) {
            for (int i = 0; i < orders[q].length; i++) {
                if (rescored[q][i]) {
                    starts[candidateRows[q][orders[q][i]] + 1]++;
                }
            }
        }
        for (int r = 0; r < galleryRows; r++) {
            starts[r + 1] += starts[r];
        }
        int[] requestQuery = new int[requests];
        int[] requestPosition = new int[requests];
        for (int q = 0; q < orders.length; q++) {
            for (int i = 0; i < orders[q].length; i++) {
                if (rescored[q][i]) {
                    int at = starts[candidateRows[q][orders[q][i]]]++;
                    requestQuery[at] = q;
                    requestPosition[at] = i;
                }
            }
        }
        float[][] exact = new float[orders.length][];
        for (int q = 0; q < orders.length; q++) {
            exact[q] = new float[orders[q].length];
        }
        for (int at = 0; at < requests; at++) {
            int q = requestQuery[at];
            int i = requestPosition[at];
            exact[q][i] = gallery.exactScore(q, candidateRows[q][orders[q][i]]);
        }
        return exact;
    }

    /** The final list of one query: single candidates keep their GEMM score, chains are ordered exactly. */
    private NeighbourList ordered(int query, long queryId, int queryLabel, int[] order, boolean[] rescored,
            float[] exact, Gallery gallery) {
        float[] gemm = candidateScores[query];
        int[] rows = candidateRows[query];
        int n = Math.min(k, order.length);
        long[] ids = new long[n];
        int[] labels = new int[n];
        float[] scores = new float[n];
        int chainStart = 0;
        while (chainStart < n) {
            int chainEnd = chainStart + 1;
            while (chainEnd < order.length && rescored[chainEnd] && rescored[chainStart]) {
                chainEnd++;
            }
            if (!rescored[chainStart]) {
                int c = order[chainStart];
                ids[chainStart] = gallery.id(rows[c]);
                labels[chainStart] = gallery.label(rows[c]);
                scores[chainStart] = gemm[c];
            } else {
                orderChain(order, chainStart, chainEnd, rows, exact, gallery, ids, labels, scores);
            }
            chainStart = chainEnd;
        }
        return new NeighbourList(queryId, queryLabel, ids, labels, scores);
    }

    /** Orders candidates {@code order[from..to)} by exact score and writes those that land before position K. */
    private static void orderChain(int[] order, int from, int to, int[] rows, float[] exact, Gallery gallery,
            long[] ids, int[] labels, float[] scores) {
        int length = to - from;
        long[] chain = new long[length];
        for (int i = 0; i < length; i++) {
            chain[i] = ((long) descendingKey(exact[from + i]) << 32) | i;
        }
        Arrays.sort(chain);
        breakTiesById(chain, i -> exact[from + i], i -> gallery.id(rows[order[from + i]]));
        for (int i = 0; i < length && from + i < ids.length; i++) {
            int member = (int) chain[i];
            int row = rows[order[from + member]];
            ids[from + i] = gallery.id(row);
            labels[from + i] = gallery.label(row);
            scores[from + i] = exact[from + member];
        }
    }

    /** Within each run of equal scores (sorted by position so far) puts smaller gallery ids first. */
    private static void breakTiesById(long[] order, IntToFloat exact, IntToLongFunction idOf) {
        int start = 0;
        while (start < order.length) {
            int end = start + 1;
            float s = exact.apply((int) order[start]);
            while (end < order.length && Float.compare(exact.apply((int) order[end]), s) == 0) {
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

    private interface IntToFloat {
        float apply(int i);
    }

    /** An int whose signed order is the descending order of the float (Float.compare's order, -0.0 < 0.0). */
    private static int descendingKey(float f) {
        int bits = Float.floatToIntBits(f);
        return ~(bits ^ ((bits >> 31) & 0x7fffffff));
    }

    /**
     * A score that at least {@code k} of {@code scores[0..count)} reach, and no higher than the K-th best of them:
     * the lowest score in the histogram bins that first hold K items counting from the top. Linear passes without
     * unpredictable branches; a comparison-based quickselect mispredicts every other comparison on such data and
     * was about three times slower. {@code histogram} is scratch space (its length caps the bins).
     */
    static float kthLowerBound(float[] scores, int count, int k, int[] histogram) {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (int c = 0; c < count; c++) {
            // Plain comparisons (rarely true, so well predicted) rather than Math.min's NaN and -0.0 handling.
            float s = scores[c];
            if (s < min) {
                min = s;
            }
            if (s > max) {
                max = s;
            }
        }
        if (!(max > min)) {
            return min;
        }
        // About four scores a bin: finer bins only cost more clearing and walking.
        int bins = Math.max(2, Math.min(histogram.length, count / 4));
        float scale = (bins - 1) / (max - min);
        Arrays.fill(histogram, 0, bins, 0);
        for (int c = 0; c < count; c++) {
            histogram[bin(scores[c], min, scale, bins)]++;
        }
        int first = bins - 1;
        int above = histogram[first];
        while (above < k) {
            above += histogram[--first];
        }
        float lowest = Float.POSITIVE_INFINITY;
        float firstEdge = min + first / scale;
        for (int c = 0; c < count; c++) {
            float s = scores[c];
            // Only scores near the first bin's lower edge can be the lowest of its bins; the edge test (well
            // predicted) keeps the exact bin computation off the common path.
            if (s < lowest && s >= firstEdge - (max - min) / bins && bin(s, min, scale, bins) >= first) {
                lowest = s;
            }
        }
        return lowest;
    }

    private static int bin(float score, float min, float scale, int bins) {
        return Math.min(bins - 1, (int) ((score - min) * scale));
    }
}
