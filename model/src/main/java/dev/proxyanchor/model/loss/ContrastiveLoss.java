package dev.proxyanchor.model.loss;

import dev.proxyanchor.model.loss.distances.Pairwise;
import dev.proxyanchor.model.loss.distances.Rows;
import dev.proxyanchor.model.loss.distances.Similarity;
import dev.proxyanchor.model.loss.reducers.Reducer;
import dev.proxyanchor.model.loss.reducers.Reduction;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Contrastive as the official code runs it: pytorch-metric-learning 0.9.89's {@code ContrastiveLoss(neg_margin=0.5)}
 * (positive margin 0, power 1, Euclidean distance of the unit embeddings, every ordered pair of the batch, no miner):
 *
 * <pre>
 *   positive pair (i, j), i != j, same class:  l+ = d_ij
 *   negative pair (i, j), different classes:   l- = max(0, 0.5 - d_ij)
 *   L = mean{l+ : l+ > 0} + mean{l- : l- > 0}
 * </pre>
 *
 * Two separate averages over the pairs with a strictly positive loss (each 0 when no pair qualifies), summed: a
 * positive pair at distance 0 is not counted, a negative one counts 0.5 with zero gradient (the distance has none
 * there), a negative pair at exactly 0.5 is not counted. A batch without a positive pair still learns from its
 * negative term.
 */
public class ContrastiveLoss extends MetricLoss<ContrastiveLoss.Result> {

    public static final double NEGATIVE_MARGIN = 0.5;

    /** Loss, dL/dX, the two averages and how many ordered pairs each had and counted. */
    public record Result(double loss, INDArray gradient, double positiveLoss, double negativeLoss,
                         int positivePairs, int negativePairs, int positivePairsNonZero, int negativePairsNonZero)
            implements MetricLoss.Value {
    }

    @Override
    protected String officialName() {
        return Losses.CONTRASTIVE;
    }

    @Override
    protected String inputDescription() {
        return "embeddings";
    }

    @Override
    protected Result value(INDArray embeddings, ClassLabels labels) {
        int batch = labels.size();
        Pairwise d = Similarity.EUCLIDEAN.within(Rows.of(embeddings));
        int positives = 0;
        for (int i = 0; i < batch; i++) {
            for (int j = 0; j < batch; j++) {
                if (i != j && labels.of(i) == labels.of(j)) {
                    positives++;
                }
            }
        }
        int negatives = batch * (batch - 1) - positives;
        int[] positiveAt = new int[positives];
        int[] negativeAt = new int[negatives];
        double[] positiveLosses = new double[positives];
        double[] negativeLosses = new double[negatives];
        int p = 0;
        int n = 0;
        for (int i = 0; i < batch; i++) {
            for (int j = 0; j < batch; j++) {
                int at = i * batch + j;
                if (i == j) {
                    continue;
                }
                if (labels.of(i) == labels.of(j)) {
                    positiveAt[p] = at;
                    positiveLosses[p++] = d.values()[at];
                } else {
                    negativeAt[n] = at;
                    negativeLosses[n++] = Math.max(0, NEGATIVE_MARGIN - d.values()[at]);
                }
            }
        }
        Reduction positive = Reducer.meanOverNonZero().reduce(positiveLosses);
        Reduction negative = Reducer.meanOverNonZero().reduce(negativeLosses);
        double[] dDistance = new double[batch * batch];
        for (int k = 0; k < positives; k++) {
            dDistance[positiveAt[k]] = positive.weights()[k];
        }
        for (int k = 0; k < negatives; k++) {
            dDistance[negativeAt[k]] = -negative.weights()[k];
        }
        return new Result(positive.value() + negative.value(), d.backwardWithin(dDistance).toMatrix(),
                positive.value(), negative.value(), positives, negatives, nonZero(positiveLosses),
                nonZero(negativeLosses));
    }

    private static int nonZero(double[] losses) {
        int count = 0;
        for (double l : losses) {
            if (l > 0) {
                count++;
            }
        }
        return count;
    }
}
