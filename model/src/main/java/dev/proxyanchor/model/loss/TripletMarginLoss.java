package dev.proxyanchor.model.loss;

import dev.proxyanchor.model.loss.distances.PairwiseDistance;
import dev.proxyanchor.model.loss.distances.Rows;
import dev.proxyanchor.model.loss.miners.TripletMarginMiner;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Triplet as the official code runs it: pytorch-metric-learning 0.9.89's
 * {@code TripletMarginMiner(0.1, type_of_triplets="semihard")}, then {@code TripletMarginLoss(margin=0.1)} on the
 * mined triplets, both on torch's {@code pairwise_distance} of the unit embeddings ({@link PairwiseDistance}: the 1e-6
 * inside the norm). With nothing mined the loss is 0; else
 *
 * <pre>
 *   l_t = max(0, delta(a,p) - delta(a,n) + 0.1),   L = mean{l_t : l_t > 0}  (0 if none)
 * </pre>
 *
 * Only semi-hard triplets are used (0 < delta(a,n) - delta(a,p) <= 0.1): a batch of only hard triplets has loss 0.
 * A kept triplet's loss is 0 only at exactly {@code delta(a,n) - delta(a,p) = 0.1}; the mean counts the others (PML's
 * mean over non-zero losses).
 */
public class TripletMarginLoss extends MetricLoss<TripletMarginLoss.Result> {

    public static final double MARGIN = 0.1;

    private static final TripletMarginMiner MINER = new TripletMarginMiner(TripletMarginMiner.DEFAULT_MARGIN);

    /** Loss, dL/dX, how many triplets were mined and how many of them had a positive loss. */
    public record Result(double loss, INDArray gradient, long triplets, long tripletsNonZero)
            implements MetricLoss.Value {
    }

    @Override
    protected String officialName() {
        return Losses.TRIPLET;
    }

    @Override
    protected String inputDescription() {
        return "embeddings";
    }

    /**
     * Sums over the miner's counts instead of listing the triplets: a pair (a, p) adds
     * {@code m (delta(a,p) + margin) - sum delta(a,n)} over its m triplets inside the margin, and the gradient of
     * delta(a,n) counts the triplets it is the negative of; the mean over non-zero losses divides by their number.
     */
    @Override
    protected Result value(INDArray embeddings, ClassLabels labels) {
        int batch = labels.size();
        PairwiseDistance delta = PairwiseDistance.of(Rows.of(embeddings));
        TripletMarginMiner.Counts counts = MINER.count(delta, labels.classes());
        double[] dDelta = new double[batch * batch];
        if (counts.inside() == 0) {
            return new Result(0, delta.backward(dDelta).toMatrix(), counts.kept(), 0);
        }
        double weight = 1.0 / counts.inside();
        double sum = 0;
        for (int k = 0; k < dDelta.length; k++) {
            int asPositive = counts.insideByPositive()[k];
            sum += asPositive * (delta.values()[k] + MARGIN) - counts.negativeSumByPositive()[k];
            dDelta[k] = (asPositive - counts.insideByNegative()[k]) * weight;
        }
        return new Result(sum * weight, delta.backward(dDelta).toMatrix(), counts.kept(), counts.inside());
    }
}
