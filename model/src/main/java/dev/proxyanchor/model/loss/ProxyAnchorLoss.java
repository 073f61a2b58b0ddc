package dev.proxyanchor.model.loss;

import dev.proxyanchor.model.UserInputException;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;
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
 * <p>DL4J treats a loss as a sum of per-example terms: it reports {@code computeScore(average=false) / B} and
 * divides gradients by B before clipping and the updater. Proxy-Anchor is one number per batch, so this class
 * returns {@code B * L} as the unaveraged score and {@code B * dL/ds} as the gradient; after DL4J's division the
 * score is L and the gradient dL/ds, exactly the official code's, so its learning rates and clip value of 10 carry
 * over unchanged. {@link #computeScoreArray} cannot split a batch-level loss into examples: it gives every example
 * the batch loss L, so that its mean is L.
 */
public class ProxyAnchorLoss implements ILossFunction {

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
        if (!(alpha > 0) || Double.isInfinite(alpha)) {
            throw new UserInputException("--alpha must be a positive number, got " + alpha);
        }
        if (!(margin >= 0) || Double.isInfinite(margin)) {
            throw new UserInputException("--mrg must be a non-negative number, got " + margin);
        }
        this.alpha = alpha;
        this.margin = margin;
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
                         INDArray dLossDCos) {
    }

    /**
     * The loss of one batch and its gradient with respect to the cosine matrix, computed in float64 whatever the
     * input precision.
     *
     * @param cos    B x C cosine similarities
     * @param labels B x C one-hot labels
     */
    public Result compute(INDArray cos, INDArray labels) {
        checkShapes(cos, labels);
        double[] oneHot = labels.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        checkOneHot(oneHot, (int) labels.size(0), (int) labels.size(1));
        return ON_HOST ? computeOnHeap(cos, oneHot) : computeWithNd4j(cos, labels);
    }

    /** {@link ProxyAnchorOnHeap}: host arrays (ND4J's CPU backend). */
    private Result computeOnHeap(INDArray cos, double[] oneHot) {
        int rows = (int) cos.size(0);
        int cols = (int) cos.size(1);
        double[] s = cos.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        for (double v : s) {
            if (!Double.isFinite(v)) {
                throw nonFiniteCosines();
            }
        }
        ProxyAnchorOnHeap.Outcome o = ProxyAnchorOnHeap.compute(s, oneHot, rows, cols, alpha, margin);
        double loss = finiteLoss(o.positiveTerm(), o.negativeTerm());
        INDArray grad = Nd4j.create(o.gradient(), new long[] {rows, cols}, DataType.DOUBLE);
        return new Result(loss, o.positiveTerm(), o.negativeTerm(), o.proxiesWithPositives(), grad);
    }

    /** The same computation as ND4J operations, where the arrays live on a GPU. */
    Result computeWithNd4j(INDArray cos, INDArray labels) {
        if (cos.isNaN().any() || cos.isInfinite().any()) {
            throw nonFiniteCosines();
        }
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
        double loss = finiteLoss(positiveTerm, negativeTerm);
        return new Result(loss, positiveTerm, negativeTerm, proxiesWithPositives, grad);
    }

    private static double finiteLoss(double positiveTerm, double negativeTerm) {
        double loss = positiveTerm + negativeTerm;
        if (!Double.isFinite(loss)) {
            throw new UserInputException("the Proxy-Anchor loss is " + loss + " (positive term " + positiveTerm
                    + ", negative term " + negativeTerm + "): the embeddings or proxies diverged; lower --lr");
        }
        return loss;
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

    private static void checkShapes(INDArray cos, INDArray labels) {
        if (cos.rank() != 2 || labels.rank() != 2 || !java.util.Arrays.equals(cos.shape(), labels.shape())) {
            throw new UserInputException("Proxy-Anchor expects a B x C cosine matrix and B x C one-hot labels, got "
                    + java.util.Arrays.toString(cos.shape()) + " and " + java.util.Arrays.toString(labels.shape())
                    + "; the number of proxies must equal the number of training classes");
        }
        if (cos.size(0) == 0) {
            throw new UserInputException("Proxy-Anchor got an empty batch");
        }
    }

    /** {@code labels}: B x C, row-major. */
    private static void checkOneHot(double[] labels, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            if (!isOneHot(labels, r * cols, cols)) {
                throw new UserInputException("Proxy-Anchor labels must be one-hot (one 1 per row, zeros elsewhere);"
                        + " row " + r + " of the batch is "
                        + java.util.Arrays.toString(java.util.Arrays.copyOfRange(labels, r * cols, r * cols + cols))
                        + ". Every label must lie in [0, " + cols + "), the number of proxies");
            }
        }
    }

    private static UserInputException nonFiniteCosines() {
        return new UserInputException("NaN or Inf in the cosine matrix fed to Proxy-Anchor: the embeddings or the "
                + "proxies contain NaN/Inf (diverged training; lower --lr, or check the input images)");
    }

    private static boolean isOneHot(double[] labels, int from, int length) {
        int ones = 0;
        for (int i = from; i < from + length; i++) {
            if (labels[i] == 1.0) {
                ones++;
            } else if (labels[i] != 0.0) {
                return false;
            }
        }
        return ones == 1;
    }

    @Override
    public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask,
                               boolean average) {
        requireNoMask(mask);
        Result r = compute(activate(preOutput, activationFn), labels);
        return average ? r.loss() : r.loss() * preOutput.size(0);
    }

    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        requireNoMask(mask);
        Result r = compute(activate(preOutput, activationFn), labels);
        return Nd4j.valueArrayOf(new long[] {preOutput.size(0), 1}, r.loss(), preOutput.dataType());
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        return computeGradientAndScore(labels, preOutput, activationFn, mask, true).getSecond();
    }

    @Override
    public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput,
                                                          IActivation activationFn, INDArray mask, boolean average) {
        requireNoMask(mask);
        long batch = preOutput.size(0);
        Result r = compute(activate(preOutput, activationFn), labels);
        INDArray dLdCos = r.dLossDCos().muli(batch).castTo(preOutput.dataType());
        INDArray dLdPreOut = activationFn.backprop(preOutput.dup(), dLdCos).getFirst();
        return new Pair<>(average ? r.loss() : r.loss() * batch, dLdPreOut);
    }

    private static INDArray activate(INDArray preOutput, IActivation activationFn) {
        return activationFn.getActivation(preOutput.dup(), true);
    }

    private static void requireNoMask(INDArray mask) {
        if (mask != null) {
            throw new IllegalArgumentException("Proxy-Anchor is a batch-level loss and does not support masks");
        }
    }

    @Override
    public String name() {
        return "ProxyAnchorLoss(alpha=" + alpha + ", margin=" + margin + ")";
    }

    @Override
    public String toString() {
        return name();
    }
}
