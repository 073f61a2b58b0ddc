package dev.proxyanchor.model.loss;

import dev.proxyanchor.model.UserInputException;
import java.util.Arrays;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;

/**
 * The DL4J side of every metric-learning loss here (the role of pytorch-metric-learning's
 * {@code BaseMetricLossFunction}): it owns the {@link ILossFunction} contract once, so that a loss class holds only its
 * formula and gradient ({@link #value}).
 *
 * <p>A metric loss is one number per batch, not a sum of per-example terms. DL4J reports
 * {@code computeScore(average=false) / B} as the score and divides gradients by B before clipping and the updater, so
 * this adapter returns {@code B * L} as the unaveraged score and {@code B * dL/dinput} as the gradient: after DL4J's
 * division the score is L and the gradient dL/dinput, exactly the official code's, and its learning rates and clip
 * value carry over unchanged. {@link #computeScoreArray} cannot split a batch-level loss into examples: it gives every
 * example the batch loss L, so that its mean is L. Masks are refused.
 *
 * <p>The input is what the loss layer receives (the cosine or distance matrix of a proxies head, or the embeddings),
 * B x W; labels are B x C one-hot over the C training classes, the same for every loss, so that the data side never
 * depends on the loss. Losses compute in float64 whatever the network's precision.
 *
 * <p>Subclasses keep a protected no-argument (or {@code @JsonProperty}) constructor and their parameters in fields:
 * DL4J serialises the loss into the graph configuration by class name and fields (JSON, {@code model.zip}, Spark
 * broadcast), so a loss class is never moved or renamed once released.
 *
 * @param <V> the loss's value: its loss, gradient and whatever parts the loss reports
 */
public abstract class MetricLoss<V extends MetricLoss.Value> implements ILossFunction {

    /** A batch's loss and its gradient with respect to the loss's input (B x W), both float64. */
    public interface Value {
        double loss();

        INDArray gradient();
    }

    /** The official {@code --loss} name, for messages. */
    protected abstract String officialName();

    /** What the loss receives, for messages: "cosine matrix", "embeddings", ... */
    protected abstract String inputDescription();

    /**
     * The loss of a checked batch and its gradient: {@code input} is float64, finite, B x W with B >= 1, and
     * {@code labels} are valid classes.
     */
    protected abstract V value(INDArray input, ClassLabels labels);

    /** Checks a loss may add to the shared ones (input width against the labels' width, ...). */
    protected void checkShapes(INDArray input, INDArray labels) {
    }

    /** The loss of one batch and its gradient with respect to {@code input}, in float64, after every check. */
    public final V evaluate(INDArray input, INDArray labels) {
        if (input.rank() != 2 || labels.rank() != 2 || input.size(0) != labels.size(0)) {
            throw new UserInputException(officialName() + " expects B x W " + inputDescription() + " and B x C one-hot "
                    + "labels, got shapes " + Arrays.toString(input.shape()) + " and " + Arrays.toString(labels.shape()));
        }
        if (input.size(0) == 0) {
            throw new UserInputException(officialName() + " got an empty batch");
        }
        checkShapes(input, labels);
        ClassLabels classes = ClassLabels.fromOneHot(labels, officialName());
        INDArray x = input.castTo(DataType.DOUBLE);
        // One reduction finds NaN and Inf alike (a finite sum cannot overflow for the values a network produces).
        if (!Double.isFinite(x.sumNumber().doubleValue())) {
            throw new UserInputException("NaN or Inf in the " + inputDescription() + " fed to " + officialName()
                    + ": the embeddings or the proxies contain NaN/Inf (diverged training; lower --lr, or check the"
                    + " input images)");
        }
        V v = value(x, classes);
        if (!Double.isFinite(v.loss())) {
            throw new UserInputException("the " + officialName() + " loss is " + v.loss() + " (" + v
                    + "): the embeddings or proxies diverged; lower --lr");
        }
        return v;
    }

    @Override
    public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask,
                               boolean average) {
        requireNoMask(mask);
        double loss = evaluate(activate(preOutput, activationFn), labels).loss();
        return average ? loss : loss * preOutput.size(0);
    }

    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        requireNoMask(mask);
        double loss = evaluate(activate(preOutput, activationFn), labels).loss();
        return Nd4j.valueArrayOf(new long[] {preOutput.size(0), 1}, loss, preOutput.dataType());
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
        V v = evaluate(activate(preOutput, activationFn), labels);
        INDArray dLdOutput = v.gradient().mul(batch).castTo(preOutput.dataType());
        INDArray dLdPreOutput = activationFn.backprop(preOutput.dup(), dLdOutput).getFirst();
        return new Pair<>(average ? v.loss() : v.loss() * batch, dLdPreOutput);
    }

    private static INDArray activate(INDArray preOutput, IActivation activationFn) {
        return activationFn.getActivation(preOutput.dup(), true);
    }

    private void requireNoMask(INDArray mask) {
        if (mask != null) {
            throw new IllegalArgumentException(officialName() + " is a batch-level loss and does not support masks");
        }
    }

    /** The check of a loss over a proxies layer's output: one column per training class. */
    protected final void requireOneColumnPerClass(INDArray input, INDArray labels) {
        if (input.size(1) != labels.size(1)) {
            throw new UserInputException(officialName() + " expects a B x C " + inputDescription()
                    + " and B x C one-hot labels, got " + Arrays.toString(input.shape()) + " and "
                    + Arrays.toString(labels.shape()) + "; the number of proxies must equal the number of training"
                    + " classes");
        }
    }

    /** Row-major float64 values of a float64 matrix. */
    protected static double[] rowMajor(INDArray matrix) {
        return matrix.dup('c').data().asDouble();
    }

    /** A B x W float64 matrix of row-major values. */
    protected static INDArray matrix(double[] rowMajor, long rows, long cols) {
        return Nd4j.create(rowMajor, new long[] {rows, cols}, DataType.DOUBLE);
    }

    /** Losses without parameters are equal when of the same class (DL4J compares configurations). */
    @Override
    public boolean equals(Object o) {
        return o != null && o.getClass() == getClass();
    }

    @Override
    public int hashCode() {
        return getClass().hashCode();
    }

    @Override
    public String name() {
        return officialName();
    }

    @Override
    public String toString() {
        return name();
    }
}
