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
 */
public final class TorchAdam extends TorchUpdaterConfig {

    private final double beta1;
    private final double beta2;
    private final double epsilon;

    public TorchAdam(@JsonProperty("learningRate") ISchedule learningRate,
                     @JsonProperty("beta1") double beta1,
                     @JsonProperty("beta2") double beta2,
                     @JsonProperty("epsilon") double epsilon) {
        super(learningRate);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
    }

    /** PyTorch's defaults: betas (0.9, 0.999), eps 1e-8. */
    public static TorchAdam withDefaults(ISchedule learningRate) {
        return new TorchAdam(learningRate, 0.9, 0.999, 1e-8);
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
        return new TorchAdam(getLearningRateSchedule().clone(), beta1, beta2, epsilon);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TorchAdam other && other.getLearningRateSchedule().equals(getLearningRateSchedule()) && other.beta1 == beta1
                && other.beta2 == beta2 && other.epsilon == epsilon;
    }

    @Override
    public int hashCode() {
        return Objects.hash(getLearningRateSchedule(), beta1, beta2, epsilon);
    }

    @Override
    public String toString() {
        return "TorchAdam(lr=" + getLearningRateSchedule() + ", betas=(" + beta1 + ", " + beta2 + "), eps=" + epsilon + ")";
    }
}
