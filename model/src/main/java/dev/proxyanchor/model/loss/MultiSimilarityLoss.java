package dev.proxyanchor.model.loss;

import dev.proxyanchor.model.loss.distances.Pairwise;
import dev.proxyanchor.model.loss.distances.Rows;
import dev.proxyanchor.model.loss.distances.Similarity;
import dev.proxyanchor.model.loss.miners.IndexPairs;
import dev.proxyanchor.model.loss.miners.MultiSimilarityMiner;
import dev.proxyanchor.model.loss.reducers.Reducer;
import dev.proxyanchor.model.loss.reducers.Reduction;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * MS as the official code runs it: pytorch-metric-learning 0.9.89's {@code MultiSimilarityMiner(epsilon=0.1)}, then
 * {@code MultiSimilarityLoss(alpha=2, beta=50, base=0.5)} on the mined pairs, over the cosine matrix S of the batch's
 * embeddings (normalised again here, PML's clamp form). With P_i and N_i the mined positives and negatives of anchor i
 * (an empty sum is 0):
 *
 * <pre>
 *   l_i = 1/2 log(1 + sum_{j in P_i} exp(-2 (S_ij - 0.5))) + 1/50 log(1 + sum_{k in N_i} exp(50 (S_ik - 0.5)))
 *   L   = 1/B sum_i l_i
 * </pre>
 *
 * The divisor is B, every anchor counting (those with nothing mined as 0), and the {@code 1 +} stays inside both logs.
 * PML's short-circuit: when both mined lists hold at most one pair each (nothing mined, or exactly one positive and one
 * negative pair) the loss is 0, although the formula would not be.
 */
public class MultiSimilarityLoss extends MetricLoss<MultiSimilarityLoss.Result> {

    public static final double ALPHA = 2;
    public static final double BETA = 50;
    public static final double BASE = 0.5;

    private static final MultiSimilarityMiner MINER = new MultiSimilarityMiner(MultiSimilarityMiner.DEFAULT_EPSILON);

    /** Loss, dL/dX, the mined pairs, and whether PML's short-circuit made it 0. */
    public record Result(double loss, INDArray gradient, MultiSimilarityMiner.Mined mined, boolean shortCircuit)
            implements MetricLoss.Value {
    }

    @Override
    protected String officialName() {
        return Losses.MS;
    }

    @Override
    protected String inputDescription() {
        return "embeddings";
    }

    @Override
    protected Result value(INDArray embeddings, ClassLabels labels) {
        int batch = labels.size();
        Rows x = Rows.of(embeddings);
        Pairwise s = Similarity.COSINE.within(x);
        MultiSimilarityMiner.Mined mined = MINER.mine(s, labels.classes());
        if (mined.atMostOnePairEach()) {
            return new Result(0, Rows.zeros(batch, x.width()).toMatrix(), mined, true);
        }
        boolean[] positive = mask(mined.positives(), batch);
        boolean[] negative = mask(mined.negatives(), batch);
        double[] positiveTerms = new double[batch * batch];
        double[] negativeTerms = new double[batch * batch];
        for (int k = 0; k < positiveTerms.length; k++) {
            positiveTerms[k] = ALPHA * (BASE - s.values()[k]);
            negativeTerms[k] = BETA * (s.values()[k] - BASE);
        }
        double[] positiveWeights = new double[batch * batch];
        double[] negativeWeights = new double[batch * batch];
        double[] perAnchor = new double[batch];
        for (int i = 0; i < batch; i++) {
            int row = i * batch;
            perAnchor[i] = LogSumExp.of(positiveTerms, row, batch, slice(positive, row, batch), true, positiveWeights)
                    / ALPHA
                    + LogSumExp.of(negativeTerms, row, batch, slice(negative, row, batch), true, negativeWeights)
                    / BETA;
        }
        Reduction reduction = Reducer.dividedBy(batch).reduce(perAnchor);
        // d l_i / d S_ij = -w_ij for positives (1/alpha * -alpha), +v_ik for negatives (1/beta * beta).
        double[] dS = new double[batch * batch];
        for (int k = 0; k < dS.length; k++) {
            dS[k] = (negativeWeights[k] - positiveWeights[k]) * reduction.weights()[k / batch];
        }
        return new Result(reduction.value(), s.backwardWithin(dS).toMatrix(), mined, false);
    }

    private static boolean[] mask(IndexPairs pairs, int batch) {
        boolean[] mask = new boolean[batch * batch];
        for (int k = 0; k < pairs.size(); k++) {
            mask[pairs.anchors()[k] * batch + pairs.others()[k]] = true;
        }
        return mask;
    }

    private static boolean[] slice(boolean[] mask, int from, int length) {
        return java.util.Arrays.copyOfRange(mask, from, from + length);
    }
}
