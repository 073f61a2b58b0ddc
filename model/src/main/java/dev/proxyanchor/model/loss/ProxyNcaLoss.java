package dev.proxyanchor.model.loss;

import dev.proxyanchor.model.loss.reducers.Reducer;
import dev.proxyanchor.model.loss.reducers.Reduction;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Proxy_NCA as the official code runs it: pytorch-metric-learning 0.9.89's
 * {@code ProxyNCALoss(num_classes=C, embedding_size=D, softmax_scale=32)}. Its input is the proxy layer's B x C matrix
 * of squared distances q between unit embeddings and unit proxies ({@code ProxyLayer.Output.SQUARED_DISTANCE});
 * with {@code z_ic = -32 q_ic},
 *
 * <pre>
 *   L = 1/B sum_i -log( exp(z_{i,y_i}) / sum_{c=0..C-1} exp(z_ic) )
 * </pre>
 *
 * a softmax over <em>all</em> C proxies with the true one in the denominator (the Proxy-NCA paper leaves it out) and
 * the proxies of classes absent from the batch in every denominator. Since q ~ 2 - 2 cos, the logits are
 * {@code 64 cos - 64}: scale 64 on cosines, not 32. {@code dL/dq_ic = -32 (softmax_ic - [c = y_i]) / B}.
 *
 * <p>One deliberate departure from PML: PML takes the {@code log} of the softmax, and drops a row whose true-class
 * probability is exactly 0 (in float32 that happens once {@code z_{i,y} - max_c z_ic < ~-104}: PML's float32 loss of
 * such a batch leaves the row out). This class evaluates a stable log-softmax in float64 instead
 * ({@code logsumexp_c z_ic - z_{i,y_i}}), which keeps every row with its float64 value: what the loss means, and what
 * PML computes whenever nothing underflows. Labels outside [0, C), which PML drops silently, cannot be expressed as the
 * one-hot labels here and are refused by the label check.
 */
public class ProxyNcaLoss extends MetricLoss<ProxyNcaLoss.Result> {

    /** {@code softmax_scale}, fixed by the official code. */
    public static final double SOFTMAX_SCALE = 32;

    /** Loss, dL/dq and the number of rows that count (every row: see the class comment). */
    public record Result(double loss, INDArray gradient, int rowsUsed) implements MetricLoss.Value {
    }

    @Override
    protected String officialName() {
        return Losses.PROXY_NCA;
    }

    @Override
    protected String inputDescription() {
        return "squared-distance matrix";
    }

    @Override
    protected void checkShapes(INDArray distances, INDArray labels) {
        requireOneColumnPerClass(distances, labels);
    }

    @Override
    protected Result value(INDArray distances, ClassLabels labels) {
        int rows = labels.size();
        int classes = (int) distances.size(1);
        double[] logits = rowMajor(distances);
        for (int i = 0; i < logits.length; i++) {
            logits[i] *= -SOFTMAX_SCALE;
        }
        double[] softmax = new double[logits.length];
        double[] perRow = new double[rows];
        for (int i = 0; i < rows; i++) {
            double logSumExp = LogSumExp.of(logits, i * classes, classes, null, false, softmax);
            perRow[i] = logSumExp - logits[i * classes + labels.of(i)];
        }
        Reduction mean = Reducer.mean().reduce(perRow);
        double[] gradient = softmax;
        for (int i = 0; i < rows; i++) {
            gradient[i * classes + labels.of(i)] -= 1;
            for (int c = 0; c < classes; c++) {
                gradient[i * classes + c] *= -SOFTMAX_SCALE * mean.weights()[i];
            }
        }
        return new Result(mean.value(), matrix(gradient, rows, classes), rows);
    }
}
