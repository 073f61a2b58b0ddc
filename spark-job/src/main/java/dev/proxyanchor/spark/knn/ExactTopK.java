package dev.proxyanchor.spark.knn;

import java.util.Arrays;
import java.util.List;

/**
 * A query's exact top K. GEMM scores depend on the shape of the blocks multiplied (BLAS sums in a different order
 * for different sizes), so two cuttings of the same gallery can disagree in the last bit and swap near-tied
 * neighbours. GEMM therefore only selects: every item whose GEMM score is within {@code slack} (twice the rounding
 * bound of a D-term float dot product) of the running K-th best stays a candidate, and the candidates are ranked by
 * their dot product accumulated in double, ties to the smaller id. The result is the same for every block size and
 * partitioning, and equals a brute-force search in double.
 */
final class ExactTopK {

    private final int k;
    private final float slack;
    private final TopK bySelectionScore;
    private long[] ids = new long[16];
    private int[] labels = new int[16];
    private int[] blocks = new int[16];
    private int[] rows = new int[16];
    private float[] selectionScores = new float[16];
    private int size;

    ExactTopK(int k, float slack) {
        this.k = k;
        this.slack = slack;
        this.bySelectionScore = new TopK(k);
    }

    /** Scores below this cannot enter the final K. */
    float cutoff() {
        return bySelectionScore.full() ? bySelectionScore.lowestScore() - slack : Float.NEGATIVE_INFINITY;
    }

    void offer(float score, long id, int label, int block, int row) {
        bySelectionScore.offer(score, id, label);
        if (size == ids.length) {
            prune();
            if (size > ids.length / 2) {
                grow();
            }
        }
        ids[size] = id;
        labels[size] = label;
        blocks[size] = block;
        rows[size] = row;
        selectionScores[size] = score;
        size++;
    }

    private void prune() {
        float cut = cutoff();
        int kept = 0;
        for (int i = 0; i < size; i++) {
            if (selectionScores[i] >= cut) {
                ids[kept] = ids[i];
                labels[kept] = labels[i];
                blocks[kept] = blocks[i];
                rows[kept] = rows[i];
                selectionScores[kept] = selectionScores[i];
                kept++;
            }
        }
        size = kept;
    }

    private void grow() {
        int n = ids.length * 2;
        ids = Arrays.copyOf(ids, n);
        labels = Arrays.copyOf(labels, n);
        blocks = Arrays.copyOf(blocks, n);
        rows = Arrays.copyOf(rows, n);
        selectionScores = Arrays.copyOf(selectionScores, n);
    }

    Neighbours finish(Embedding query, List<GalleryBlock> gallery) {
        prune();
        double[] exact = new double[size];
        Integer[] order = new Integer[size];
        float[] q = query.vector();
        for (int i = 0; i < size; i++) {
            GalleryBlock g = gallery.get(blocks[i]);
            int offset = rows[i] * g.dim();
            double dot = 0;
            for (int d = 0; d < q.length; d++) {
                dot += (double) q[d] * g.vectors()[offset + d];
            }
            exact[i] = dot;
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> exact[a] != exact[b] ? Double.compare(exact[b], exact[a])
                : Long.compare(ids[a], ids[b]));
        int n = Math.min(k, size);
        long[] outIds = new long[n];
        int[] outLabels = new int[n];
        float[] outScores = new float[n];
        for (int i = 0; i < n; i++) {
            outIds[i] = ids[order[i]];
            outLabels[i] = labels[order[i]];
            outScores[i] = (float) exact[order[i]];
        }
        return new Neighbours(query.id(), query.label(), outIds, outLabels, outScores);
    }
}
