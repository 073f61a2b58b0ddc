package dev.proxyanchor.model.loss.miners;

import dev.proxyanchor.model.loss.ClassLabels;
import dev.proxyanchor.model.loss.distances.Pairwise;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * pytorch-metric-learning 0.9.89's {@code MultiSimilarityMiner(epsilon)} on a batch's cosine matrix S: for each
 * anchor i, a positive (i, j) is kept iff {@code S_ij - epsilon < max_k S_ik} over its negatives k, and a negative
 * (i, k) iff {@code S_ik + epsilon > min_j S_ij} over its positives j (both strict, evaluated as written). The anchor is
 * never its own positive; an anchor without positives keeps nothing, one without negatives no positives; a batch
 * without any positive pair or without any negative pair mines nothing.
 */
public final class MultiSimilarityMiner {

    public static final double DEFAULT_EPSILON = 0.1;

    private final double epsilon;

    public MultiSimilarityMiner(double epsilon) {
        this.epsilon = epsilon;
    }

    /** The mined positive pairs (PML's a1, p) and negative pairs (a2, n). */
    public record Mined(IndexPairs positives, IndexPairs negatives) {

        /** Both lists empty or a single pair each: pytorch-metric-learning's loss then short-circuits to 0. */
        public boolean atMostOnePairEach() {
            return positives.size() <= 1 && negatives.size() <= 1;
        }
    }

    /**
     * @param similarities the B x B cosine matrix of the batch against itself
     * @param labels       the class of each row
     * @return pairs by anchor ascending, within an anchor by similarity ascending (as PML's sort)
     */
    public Mined mine(Pairwise similarities, int[] labels) {
        int n = labels.length;
        IntList a1 = new IntList();
        IntList p = new IntList();
        IntList a2 = new IntList();
        IntList neg = new IntList();
        if (!ClassLabels.hasPositivePair(labels) || Arrays.stream(labels).distinct().count() < 2) {
            return new Mined(new IndexPairs(a1.toArray(), p.toArray()), new IndexPairs(a2.toArray(), neg.toArray()));
        }
        for (int i = 0; i < n; i++) {
            double hardestNegative = Double.NEGATIVE_INFINITY;
            double hardestPositive = Double.POSITIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                double s = similarities.get(i, j);
                if (labels[j] != labels[i]) {
                    hardestNegative = Math.max(hardestNegative, s);
                } else if (j != i) {
                    hardestPositive = Math.min(hardestPositive, s);
                }
            }
            final int anchor = i;
            final double maxNegative = hardestNegative;
            final double minPositive = hardestPositive;
            for (int j : bySimilarity(similarities, i, n,
                    j -> j != anchor && labels[j] == labels[anchor]
                            && similarities.get(anchor, j) - epsilon < maxNegative)) {
                a1.add(i);
                p.add(j);
            }
            for (int k : bySimilarity(similarities, i, n,
                    k -> labels[k] != labels[anchor] && similarities.get(anchor, k) + epsilon > minPositive)) {
                a2.add(i);
                neg.add(k);
            }
        }
        return new Mined(new IndexPairs(a1.toArray(), p.toArray()), new IndexPairs(a2.toArray(), neg.toArray()));
    }

    private static int[] bySimilarity(Pairwise s, int anchor, int n, java.util.function.IntPredicate keep) {
        return IntStream.range(0, n).filter(keep).boxed()
                .sorted(Comparator.comparingDouble(j -> s.get(anchor, j)))
                .mapToInt(Integer::intValue).toArray();
    }
}
