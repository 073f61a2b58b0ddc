package dev.proxyanchor.model.loss;

import dev.proxyanchor.model.loss.distances.PairwiseDistance;
import dev.proxyanchor.model.loss.distances.Rows;
import dev.proxyanchor.model.loss.miners.IndexTriplets;
import dev.proxyanchor.model.loss.miners.TripletMarginMiner;
import dev.proxyanchor.model.loss.reducers.Reducer;
import dev.proxyanchor.model.loss.reducers.Reduction;
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
 */
public class TripletMarginLoss extends MetricLoss<TripletMarginLoss.Result> {

    public static final double MARGIN = 0.1;

    private static final TripletMarginMiner MINER = new TripletMarginMiner(TripletMarginMiner.DEFAULT_MARGIN);

    /** Loss, dL/dX, the mined triplets and how many had a positive loss. */
    public record Result(double loss, INDArray gradient, IndexTriplets mined, int tripletsNonZero)
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

    @Override
    protected Result value(INDArray embeddings, ClassLabels labels) {
        int batch = labels.size();
        PairwiseDistance delta = PairwiseDistance.of(Rows.of(embeddings));
        IndexTriplets triplets = MINER.mine(delta, labels.classes());
        double[] losses = new double[triplets.size()];
        int nonZero = 0;
        for (int t = 0; t < losses.length; t++) {
            double gap = delta.get(triplets.anchors()[t], triplets.positives()[t])
                    - delta.get(triplets.anchors()[t], triplets.negatives()[t]);
            losses[t] = Math.max(0, gap + MARGIN);
            nonZero += losses[t] > 0 ? 1 : 0;
        }
        Reduction reduction = Reducer.meanOverNonZero().reduce(losses);
        double[] dDelta = new double[batch * batch];
        for (int t = 0; t < losses.length; t++) {
            if (losses[t] > 0) {
                int a = triplets.anchors()[t];
                dDelta[a * batch + triplets.positives()[t]] += reduction.weights()[t];
                dDelta[a * batch + triplets.negatives()[t]] -= reduction.weights()[t];
            }
        }
        return new Result(reduction.value(), delta.backward(dDelta).toMatrix(), triplets, nonZero);
    }
}
