package dev.proxyanchor.model.loss.miners;

import dev.proxyanchor.model.loss.distances.PairwiseDistance;

/**
 * pytorch-metric-learning 0.9.89's {@code TripletMarginMiner(margin, type_of_triplets="semihard")}: every triplet
 * (a, p, n) with p != a of a's class and n of another, kept iff {@code 0 < delta(a,n) - delta(a,p) <= margin} (the
 * difference computed first, as PML does), in lexicographic (a, p, n) order. Hard triplets (the negative no farther
 * than the positive) and easy ones (beyond the margin) are never kept.
 *
 * <p>The candidates are the positives times the negatives of each anchor, cubic in the batch size; this walks them
 * with two index lists per anchor and one comparison each, no per-triplet allocation (PML materialises every
 * candidate triplet as tensors first).
 */
public final class TripletMarginMiner {

    public static final double DEFAULT_MARGIN = 0.1;

    private final double margin;

    public TripletMarginMiner(double margin) {
        this.margin = margin;
    }

    /**
     * @param delta  torch's pairwise distances of the batch (B x B)
     * @param labels the class of each row
     */
    public IndexTriplets mine(PairwiseDistance delta, int[] labels) {
        int n = labels.length;
        double[] d = delta.values();
        IntList anchors = new IntList();
        IntList positives = new IntList();
        IntList negatives = new IntList();
        int[] sameClass = new int[n];
        int[] otherClass = new int[n];
        for (int a = 0; a < n; a++) {
            int numPositives = 0;
            int numNegatives = 0;
            for (int j = 0; j < n; j++) {
                if (labels[j] != labels[a]) {
                    otherClass[numNegatives++] = j;
                } else if (j != a) {
                    sameClass[numPositives++] = j;
                }
            }
            int row = a * n;
            for (int pi = 0; pi < numPositives; pi++) {
                int p = sameClass[pi];
                double ap = d[row + p];
                for (int ni = 0; ni < numNegatives; ni++) {
                    int neg = otherClass[ni];
                    double gap = d[row + neg] - ap;
                    if (gap > 0 && gap <= margin) {
                        anchors.add(a);
                        positives.add(p);
                        negatives.add(neg);
                    }
                }
            }
        }
        return new IndexTriplets(anchors.toArray(), positives.toArray(), negatives.toArray());
    }
}
