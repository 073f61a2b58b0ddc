package dev.proxyanchor.model.optim;

import java.util.Objects;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Adam exactly as PyTorch computes it (and so AdamW, whose decoupled decay is DL4J's post-updater
 * {@code WeightDecay}): epsilon added to the bias-corrected sqrt(v), and a step count per parameter group kept in
 * the updater state, so that a group frozen during warm-up starts its bias correction at step 1 when it is
 * released. DL4J's own Adam adds epsilon before the bias correction and counts the network's iterations instead.
 *
 * <p>A learning rate of exactly 0 means "frozen": no update, no state change, no step counted.
 *
 * <p>A positive {@code clipValue} clips the gradient's elements to [-clipValue, clipValue] at the start of the step,
 * in the same sweep: the official code's {@code clip_grad_value_} before {@code optimizer.step()}. That is its place
 * only when nothing is added to the gradient between the two (AdamW's decay is decoupled; Adam's L2 term is added
 * after clipping, so Adam with weight decay leaves clipping to DL4J's gradient normalization). DL4J's clipping runs
 * ND4J's {@code clipbyvalue}, which calls a {@code std::function} per element: about 2% of a BN-Inception step.
 */
public final class TorchAdam extends TorchUpdaterConfig {

    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final double clipValue;

    public TorchAdam(@JsonProperty("learningRate") ISchedule learningRate,
                     @JsonProperty("beta1") double beta1,
                     @JsonProperty("beta2") double beta2,
                     @JsonProperty("epsilon") double epsilon,
                     @JsonProperty("clipValue") double clipValue) {
        super(learningRate);
        if (!(clipValue >= 0)) {
            throw new IllegalArgumentException("clipValue must be >= 0 (0: no clipping), got " + clipValue);
        }
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.clipValue = clipValue;
    }

    /** PyTorch's defaults: betas (0.9, 0.999), eps 1e-8; no clipping. */
    public static TorchAdam withDefaults(ISchedule learningRate) {
        return new TorchAdam(learningRate, 0.9, 0.999, 1e-8, 0);
    }

    /** This optimizer clipping the gradient's elements to [-clipValue, clipValue] first (0: not clipping). */
    public TorchAdam withClipValue(double clipValue) {
        return new TorchAdam(getLearningRateSchedule().clone(), beta1, beta2, epsilon, clipValue);
    }

    public double getClipValue() {
        return clipValue;
    }

    public double getBeta1() {
        return beta1;
    }

    public double getBeta2() {
        return beta2;
    }

    public double getEpsilon() {
        return epsilon;
    }

    @Override
    public long stateSize(long numParams) {
        return 3 * numParams;
    }

    @Override
    GradientUpdater<?> newUpdater() {
        return new TorchAdamUpdater(this);
    }

    @Override
    public TorchAdam clone() {
        return new TorchAdam(getLearningRateSchedule().clone(), beta1, beta2, epsilon, clipValue);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TorchAdam other && other.getLearningRateSchedule().equals(getLearningRateSchedule()) && other.beta1 == beta1
                && other.beta2 == beta2 && other.epsilon == epsilon && other.clipValue == clipValue;
    }

    @Override
    public int hashCode() {
        return Objects.hash(getLearningRateSchedule(), beta1, beta2, epsilon, clipValue);
    }

    @Override
    public String toString() {
        return "TorchAdam(lr=" + getLearningRateSchedule() + ", betas=(" + beta1 + ", " + beta2 + "), eps=" + epsilon
                + (clipValue > 0 ? ", clip=" + clipValue : "") + ")";
    }
}
