package dev.proxyanchor.model.loss.miners;

import dev.proxyanchor.model.loss.distances.PairwiseDistance;
import java.util.Arrays;
import java.util.function.DoublePredicate;

/**
 * pytorch-metric-learning 0.9.89's {@code TripletMarginMiner(margin, type_of_triplets="semihard")}: every triplet
 * (a, p, n) with p != a of a's class and n of another, kept iff {@code 0 < delta(a,n) - delta(a,p) <= margin} (the
 * difference computed first, then both comparisons, as PML does), in lexicographic (a, p, n) order. Hard triplets (the
 * negative no farther than the positive) and easy ones (beyond the margin) are never kept.
 *
 * <p>The candidates, and in the narrow embedding cones of early training the kept triplets too, are cubic in the batch
 * size; PML materialises every candidate as tensors. {@link #mine} lists the kept triplets (output-bound); the loss
 * never needs the list, only {@link #count}: with each anchor's positive and negative distances sorted, the
 * negatives a positive keeps form a range of the sorted negatives, and the positives that keep a negative a range of
 * the sorted positives (a rounded difference is monotone in each operand), found by binary search with PML's own
 * comparisons: O(B^2 log B) for the batch.
 */
public final class TripletMarginMiner {

    public static final double DEFAULT_MARGIN = 0.1;

    private final double margin;

    public TripletMarginMiner(double margin) {
        this.margin = margin;
    }

    /** PML's selection: the gap first, then {@code 0 < gap <= margin}. */
    public boolean keeps(double anchorPositive, double anchorNegative) {
        double gap = anchorNegative - anchorPositive;
        return gap > 0 && gap <= margin;
    }

    /** Whether a kept triplet has a positive loss {@code margin - gap}: the gap strictly inside the margin. */
    public boolean insideMargin(double anchorPositive, double anchorNegative) {
        double gap = anchorNegative - anchorPositive;
        return gap > 0 && gap < margin;
    }

    /**
     * @param delta  torch's pairwise distances of the batch (B x B)
     * @param labels the class of each row
     * @return the kept triplets in PML's lexicographic (a, p, n) order
     */
    public IndexTriplets mine(PairwiseDistance delta, int[] labels) {
        int n = labels.length;
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
            for (int pi = 0; pi < numPositives; pi++) {
                int p = sameClass[pi];
                for (int ni = 0; ni < numNegatives; ni++) {
                    if (keeps(delta.get(a, p), delta.get(a, otherClass[ni]))) {
                        anchors.add(a);
                        positives.add(p);
                        negatives.add(otherClass[ni]);
                    }
                }
            }
        }
        return new IndexTriplets(anchors.toArray(), positives.toArray(), negatives.toArray());
    }

    /**
     * The kept triplets counted per pair, B x B row-major by (anchor, other):
     *
     * @param kept                 how many triplets are kept
     * @param inside               how many of them lie strictly inside the margin
     * @param insideByPositive     for (a, p): its triplets inside the margin
     * @param negativeSumByPositive for (a, p): the sum of delta(a, n) over those triplets
     * @param insideByNegative     for (a, n): the triplets inside the margin it is the negative of
     */
    public record Counts(long kept, long inside, int[] insideByPositive, double[] negativeSumByPositive,
                         int[] insideByNegative) {
    }

    /** The kept triplets counted, not listed (see the class comment). */
    public Counts count(PairwiseDistance delta, int[] labels) {
        int n = labels.length;
        int[] insideByPositive = new int[n * n];
        double[] negativeSumByPositive = new double[n * n];
        int[] insideByNegative = new int[n * n];
        long kept = 0;
        long inside = 0;
        double[] sameClass = new double[n];
        double[] otherClass = new double[n];
        for (int a = 0; a < n; a++) {
            int numPositives = 0;
            int numNegatives = 0;
            for (int j = 0; j < n; j++) {
                if (labels[j] != labels[a]) {
                    otherClass[numNegatives++] = delta.get(a, j);
                } else if (j != a) {
                    sameClass[numPositives++] = delta.get(a, j);
                }
            }
            double[] positives = Arrays.copyOf(sameClass, numPositives);
            double[] negatives = Arrays.copyOf(otherClass, numNegatives);
            Arrays.sort(positives);
            Arrays.sort(negatives);
            double[] prefix = new double[numNegatives + 1];
            for (int j = 0; j < numNegatives; j++) {
                prefix[j + 1] = prefix[j] + negatives[j];
            }
            for (int j = 0; j < n; j++) {
                double d = delta.get(a, j);
                if (labels[j] == labels[a] && j != a) {
                    // Sorted negatives that p keeps: after those with gap <= 0, up to the last with gap <= margin.
                    int from = firstFailing(negatives, an -> !(an - d > 0));
                    int to = firstFailing(negatives, an -> an - d <= margin);
                    int toInside = firstFailing(negatives, an -> an - d < margin);
                    kept += to - from;
                    inside += toInside - from;
                    insideByPositive[a * n + j] = toInside - from;
                    negativeSumByPositive[a * n + j] = prefix[toInside] - prefix[from];
                } else if (labels[j] != labels[a]) {
                    // Sorted positives that keep n inside the margin: the gap shrinks as delta(a,p) grows.
                    int from = firstFailing(positives, ap -> !(d - ap < margin));
                    int to = firstFailing(positives, ap -> d - ap > 0);
                    insideByNegative[a * n + j] = to - from;
                }
            }
        }
        return new Counts(kept, inside, insideByPositive, negativeSumByPositive, insideByNegative);
    }

    /**
     * The first index of ascending {@code sorted} where {@code holds} is false, for a predicate that holds on a prefix
     * (every comparison here is monotone in a distance: rounding a difference never reverses an order).
     */
    private static int firstFailing(double[] sorted, DoublePredicate holds) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (holds.test(sorted[mid])) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
