package dev.proxyanchor.model.loss;

import dev.proxyanchor.model.UsageException;
import dev.proxyanchor.model.UserInputException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * The Proxy-Anchor loss (Kim et al., CVPR 2020) over the B x C matrix of cosine similarities between the batch's
 * embeddings and the C proxies, with one-hot labels:
 *
 * <pre>
 *   L = 1/|P+| sum_{p in P+} log(1 + sum_{x in X_p+} exp(-alpha (s(x,p) - margin)))
 *     + 1/|P|  sum_{p in P}  log(1 + sum_{x in X_p-} exp( alpha (s(x,p) + margin)))
 * </pre>
 *
 * where P+ are the proxies with at least one positive in the batch, as in the official code.
 *
 * <p>Its input is the proxy layer's cosine matrix ({@code ProxyLayer}); {@link MetricLoss} carries the DL4J contract
 * (the B x L scaling, masks refused, the checks). On the CPU backend the loss runs on the Java heap
 * ({@link ProxyAnchorOnHeap}); where the arrays live on a GPU, as ND4J operations.
 */
public class ProxyAnchorLoss extends MetricLoss<ProxyAnchorLoss.Result> {

    public static final double DEFAULT_ALPHA = 32.0;
    public static final double DEFAULT_MARGIN = 0.1;

    /** Host memory (ND4J's CPU backend): the loss runs on the Java heap ({@link ProxyAnchorOnHeap}). */
    private static final boolean ON_HOST = Nd4j.getBackend().getClass().getSimpleName().startsWith("Cpu");

    /** Masked entries of a log-sum-exp: far below any real argument, finite so that 0 * it stays 0. */
    private static final double MASKED = -1e30;

    private final double alpha;
    private final double margin;

    public ProxyAnchorLoss() {
        this(DEFAULT_ALPHA, DEFAULT_MARGIN);
    }

    public ProxyAnchorLoss(@JsonProperty("alpha") double alpha, @JsonProperty("margin") double margin) {
        requireValid(alpha, margin);
        this.alpha = alpha;
        this.margin = margin;
    }

    /** Refuses an alpha or margin the loss cannot use, naming the official flags. */
    public static void requireValid(double alpha, double margin) {
        if (!(alpha > 0) || Double.isInfinite(alpha)) {
            throw new UsageException("--alpha must be a positive number, got " + alpha);
        }
        if (!(margin >= 0) || Double.isInfinite(margin)) {
            throw new UsageException("--mrg must be a non-negative number, got " + margin);
        }
    }

    public double getAlpha() {
        return alpha;
    }

    public double getMargin() {
        return margin;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProxyAnchorLoss other && other.alpha == alpha && other.margin == margin;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(alpha, margin);
    }

    /** Loss, its parts and dL/ds for one batch, in float64. */
    public record Result(double loss, double positiveTerm, double negativeTerm, int proxiesWithPositives,
                         INDArray dLossDCos) implements MetricLoss.Value {
        @Override
        public INDArray gradient() {
            return dLossDCos;
        }

        @Override
        public String toString() {
            return "positive term " + positiveTerm + ", negative term " + negativeTerm;
        }
    }

    /**
     * The loss of one batch and its gradient with respect to the cosine matrix, computed in float64 whatever the
     * input precision.
     *
     * @param cos    B x C cosine similarities
     * @param labels B x C one-hot labels
     */
    public Result compute(INDArray cos, INDArray labels) {
        return evaluate(cos, labels);
    }

    @Override
    protected String officialName() {
        return "Proxy_Anchor";
    }

    @Override
    protected String inputDescription() {
        return "cosine matrix";
    }

    @Override
    protected void checkShapes(INDArray cos, INDArray labels) {
        requireOneColumnPerClass(cos, labels);
    }

    @Override
    protected Result value(INDArray cos, ClassLabels labels) {
        return ON_HOST ? computeOnHeap(cos, labels.classes()) : computeWithNd4j(cos, labels.oneHot());
    }

    /** {@link ProxyAnchorOnHeap}: host arrays (ND4J's CPU backend). */
    private Result computeOnHeap(INDArray cos, int[] classes) {
        int rows = (int) cos.size(0);
        int cols = (int) cos.size(1);
        ProxyAnchorOnHeap.Outcome o = ProxyAnchorOnHeap.compute(rowMajor(cos), classes, rows, cols, alpha, margin);
        return new Result(o.positiveTerm() + o.negativeTerm(), o.positiveTerm(), o.negativeTerm(),
                o.proxiesWithPositives(), matrix(o.gradient(), rows, cols));
    }

    /** The same computation as ND4J operations, where the arrays live on a GPU. */
    Result computeWithNd4j(INDArray cos, INDArray labels) {
        INDArray s = cos.castTo(DataType.DOUBLE);
        INDArray positives = labels.castTo(DataType.DOUBLE);
        INDArray negatives = positives.rsub(1.0);
        long numProxies = s.size(1);

        INDArray positiveColumns = positives.max(0);
        int proxiesWithPositives = positiveColumns.sumNumber().intValue();

        INDArray positiveArgs = s.sub(margin).muli(-alpha);
        INDArray negativeArgs = s.add(margin).muli(alpha);
        SoftplusOfLogSumExp pos = new SoftplusOfLogSumExp(positiveArgs, positives);
        SoftplusOfLogSumExp neg = new SoftplusOfLogSumExp(negativeArgs, negatives);

        double positiveTerm = proxiesWithPositives == 0 ? 0.0 : pos.perColumn.sumNumber().doubleValue() / proxiesWithPositives;
        double negativeTerm = neg.perColumn.sumNumber().doubleValue() / numProxies;

        INDArray grad = Nd4j.zeros(DataType.DOUBLE, s.shape());
        if (proxiesWithPositives > 0) {
            grad.addi(pos.weights.muli(-alpha / proxiesWithPositives));
        }
        grad.addi(neg.weights.muli(alpha / numProxies));
        return new Result(positiveTerm + negativeTerm, positiveTerm, negativeTerm, proxiesWithPositives, grad);
    }

    /**
     * For each column j: {@code log(1 + sum_{i: mask_ij = 1} exp(a_ij))}, evaluated as a log-sum-exp over the masked
     * entries plus an implicit zero argument, and its derivative {@code exp(a_ij - value_j)} for every entry.
     */
    private static final class SoftplusOfLogSumExp {
        final INDArray perColumn;
        final INDArray weights;

        SoftplusOfLogSumExp(INDArray args, INDArray mask) {
            INDArray masked = args.mul(mask).addi(mask.rsub(1.0).muli(MASKED));
            INDArray shift = Transforms.max(masked.max(0), 0.0, false);
            INDArray shifted = masked.subRowVector(shift);
            INDArray sum = Transforms.exp(shifted, true).sum(0);
            INDArray withOne = Transforms.exp(shift.neg(), false).addi(sum);
            this.perColumn = Transforms.log(withOne, false).addi(shift);
            this.weights = Transforms.exp(masked.subRowVector(perColumn), false).muli(mask);
        }
    }

    @Override
    public String name() {
        return "ProxyAnchorLoss(alpha=" + alpha + ", margin=" + margin + ")";
    }
}
