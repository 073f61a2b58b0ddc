package dev.proxyanchor.model.optim;

import java.util.Objects;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * The learning rate of one parameter group by epoch, as the official code's StepLR gives it:
 * {@code baseLr * gamma^floor(epoch / stepEpochs)}, and 0 (frozen) for the epochs before {@code frozenUntilEpoch}
 * (the warm-up, for the backbone).
 */
public final class GroupLearningRate implements ISchedule {

    private final double baseLr;
    private final double gamma;
    private final int stepEpochs;
    private final int frozenUntilEpoch;

    public GroupLearningRate(@JsonProperty("baseLr") double baseLr,
                             @JsonProperty("gamma") double gamma,
                             @JsonProperty("stepEpochs") int stepEpochs,
                             @JsonProperty("frozenUntilEpoch") int frozenUntilEpoch) {
        if (stepEpochs <= 0) {
            throw new IllegalArgumentException("stepEpochs must be positive, got " + stepEpochs);
        }
        this.baseLr = baseLr;
        this.gamma = gamma;
        this.stepEpochs = stepEpochs;
        this.frozenUntilEpoch = frozenUntilEpoch;
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        if (epoch < frozenUntilEpoch) {
            return 0.0;
        }
        return baseLr * Math.pow(gamma, Math.floorDiv(epoch, stepEpochs));
    }

    public double getBaseLr() {
        return baseLr;
    }

    public double getGamma() {
        return gamma;
    }

    public int getStepEpochs() {
        return stepEpochs;
    }

    public int getFrozenUntilEpoch() {
        return frozenUntilEpoch;
    }

    @Override
    public GroupLearningRate clone() {
        return new GroupLearningRate(baseLr, gamma, stepEpochs, frozenUntilEpoch);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GroupLearningRate other && other.baseLr == baseLr && other.gamma == gamma
                && other.stepEpochs == stepEpochs && other.frozenUntilEpoch == frozenUntilEpoch;
    }

    @Override
    public int hashCode() {
        return Objects.hash(baseLr, gamma, stepEpochs, frozenUntilEpoch);
    }

    @Override
    public String toString() {
        return baseLr + " x " + gamma + "^floor(epoch/" + stepEpochs + ")"
                + (frozenUntilEpoch > 0 ? ", frozen before epoch " + frozenUntilEpoch : "");
    }
}
