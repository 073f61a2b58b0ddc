package dev.proxyanchor.model.optim;

import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * SGD with momentum as PyTorch computes it (dampening 0): buf = momentum * buf + g; the step is
 * lr * (g + momentum * buf) with Nesterov, lr * buf without. DL4J's {@code Nesterovs} uses another formulation
 * whose steps differ. A learning rate of exactly 0 means "frozen": no update, no state change.
 */
public final class TorchSgd implements IUpdater {

    private final ISchedule learningRate;
    private final double momentum;
    private final boolean nesterov;

    public TorchSgd(@JsonProperty("learningRate") ISchedule learningRate,
                    @JsonProperty("momentum") double momentum,
                    @JsonProperty("nesterov") boolean nesterov) {
        this.learningRate = Objects.requireNonNull(learningRate, "learningRate");
        this.momentum = momentum;
        this.nesterov = nesterov;
    }

    public ISchedule getLearningRateSchedule() {
        return learningRate;
    }

    public double getMomentum() {
        return momentum;
    }

    public boolean isNesterov() {
        return nesterov;
    }

    @Override
    public long stateSize(long numParams) {
        return numParams;
    }

    @Override
    public GradientUpdater instantiate(INDArray viewArray, boolean initializeViewArray) {
        return new Updater(this, viewArray, initializeViewArray);
    }

    @Override
    public GradientUpdater instantiate(Map<String, INDArray> updaterState, boolean initializeStateArrays) {
        return new Updater(this, updaterState.get("momentum"), initializeStateArrays);
    }

    @Override
    public double getLearningRate(int iteration, int epoch) {
        return learningRate.valueAt(iteration, epoch);
    }

    @Override
    public boolean hasLearningRate() {
        return true;
    }

    @Override
    public void setLrAndSchedule(double lr, ISchedule lrSchedule) {
        throw new UnsupportedOperationException("TorchSgd's learning rate is set by the training recipe's schedule");
    }

    @Override
    public TorchSgd clone() {
        return new TorchSgd(learningRate.clone(), momentum, nesterov);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TorchSgd other && other.learningRate.equals(learningRate) && other.momentum == momentum
                && other.nesterov == nesterov;
    }

    @Override
    public int hashCode() {
        return Objects.hash(learningRate, momentum, nesterov);
    }

    @Override
    public String toString() {
        return "TorchSgd(lr=" + learningRate + ", momentum=" + momentum + ", nesterov=" + nesterov + ")";
    }

    private static final class Updater implements GradientUpdater<TorchSgd> {
        private final TorchSgd config;
        private INDArray buffer;

        Updater(TorchSgd config, INDArray state, boolean initialize) {
            this.config = config;
            this.buffer = state.reshape(state.length());
            if (initialize) {
                buffer.assign(0);
            }
        }

        @Override
        public TorchSgd getConfig() {
            return config;
        }

        @Override
        public void setState(Map<String, INDArray> stateMap, boolean initialize) {
            this.buffer = stateMap.get("momentum");
            if (initialize) {
                buffer.assign(0);
            }
        }

        @Override
        public Map<String, INDArray> getState() {
            return Map.of("momentum", buffer);
        }

        @Override
        public void setStateViewArray(INDArray viewArray, long[] gradientShape, char order, boolean initialize) {
            this.buffer = viewArray.reshape(viewArray.length());
            if (initialize) {
                buffer.assign(0);
            }
        }

        @Override
        public void applyUpdater(INDArray gradient, int iteration, int epoch) {
            double lr = config.getLearningRate(iteration, epoch);
            INDArray g = gradient.reshape(gradient.length());
            if (lr == 0.0) {
                g.assign(0);
                return;
            }
            buffer.muli(config.getMomentum()).addi(g);
            if (config.isNesterov()) {
                g.addi(buffer.mul(config.getMomentum())).muli(lr);
            } else {
                g.assign(buffer.mul(lr));
            }
        }
    }
}
