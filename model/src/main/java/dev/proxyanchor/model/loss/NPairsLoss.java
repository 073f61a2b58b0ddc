package dev.proxyanchor.model.loss;

import dev.proxyanchor.model.loss.distances.Pairwise;
import dev.proxyanchor.model.loss.distances.Rows;
import dev.proxyanchor.model.loss.distances.Similarity;
import dev.proxyanchor.model.loss.miners.IndexPairs;
import dev.proxyanchor.model.loss.reducers.Reducer;
import dev.proxyanchor.model.loss.reducers.Reduction;
import java.util.TreeMap;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * NPair as the official code runs it: pytorch-metric-learning 0.9.89's
 * {@code NPairsLoss(l2_reg_weight=0, normalize_embeddings=False)}. One pair per class with at least two images in
 * the batch, in increasing class order: the class's lowest batch index is the anchor, its second lowest the positive
 * (further images of the class and classes with one image get no gradient). With N pairs and
 * {@code M_kl = x_{a_k} . x_{p_l}}:
 *
 * <pre>
 *   L = 1/N sum_k (logsumexp_l M_kl - M_kk)       (0 when N = 0; exactly 0 when N = 1)
 * </pre>
 *
 * The loss does not normalise: raw dot products (the network's own L2 normalisation, {@code --l2-norm 1}, makes them
 * cosines; with {@code --l2-norm 0} they are unbounded, hence the stable log-sum-exp).
 */
public class NPairsLoss extends MetricLoss<NPairsLoss.Result> {

    /** Loss, dL/dX and the (anchor, positive) pairs used. */
    public record Result(double loss, INDArray gradient, IndexPairs pairs) implements MetricLoss.Value {
    }

    @Override
    protected String officialName() {
        return Losses.NPAIR;
    }

    @Override
    protected String inputDescription() {
        return "embeddings";
    }

    /** The first two batch indices of each class that has two, in increasing class order. */
    static IndexPairs pairs(int[] labels) {
        TreeMap<Integer, int[]> firstTwo = new TreeMap<>();
        for (int i = 0; i < labels.length; i++) {
            int[] seen = firstTwo.computeIfAbsent(labels[i], k -> new int[] {-1, -1});
            if (seen[0] < 0) {
                seen[0] = i;
            } else if (seen[1] < 0) {
                seen[1] = i;
            }
        }
        int[][] complete = firstTwo.values().stream().filter(pair -> pair[1] >= 0).toArray(int[][]::new);
        int[] anchors = new int[complete.length];
        int[] positives = new int[complete.length];
        for (int k = 0; k < complete.length; k++) {
            anchors[k] = complete[k][0];
            positives[k] = complete[k][1];
        }
        return new IndexPairs(anchors, positives);
    }

    @Override
    protected Result value(INDArray embeddings, ClassLabels labels) {
        Rows x = Rows.of(embeddings);
        IndexPairs pairs = pairs(labels.classes());
        int n = pairs.size();
        if (n == 0) {
            return new Result(0, Rows.zeros(x.count(), x.width()).toMatrix(), pairs);
        }
        Pairwise logits = Similarity.DOT.between(x.select(pairs.anchors()), x.select(pairs.others()));
        double[] softmax = new double[n * n];
        double[] perPair = new double[n];
        for (int k = 0; k < n; k++) {
            perPair[k] = LogSumExp.of(logits.values(), k * n, n, null, false, softmax) - logits.get(k, k);
        }
        Reduction mean = Reducer.mean().reduce(perPair);
        double[] dLogits = softmax;
        for (int k = 0; k < n; k++) {
            dLogits[k * n + k] -= 1;
            for (int l = 0; l < n; l++) {
                dLogits[k * n + l] *= mean.weights()[k];
            }
        }
        Rows[] dPairs = logits.backward(dLogits);
        Rows dX = Rows.zeros(x.count(), x.width());
        dX.scatterAdd(pairs.anchors(), dPairs[0]);
        dX.scatterAdd(pairs.others(), dPairs[1]);
        return new Result(mean.value(), dX.toMatrix(), pairs);
    }
}
