package dev.proxyanchor.model.optim;

import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * SGD with momentum as PyTorch computes it (dampening 0): buf = momentum * buf + g; the step is
 * lr * (g + momentum * buf) with Nesterov, lr * buf without. DL4J's {@code Nesterovs} uses another formulation
 * whose steps differ. A learning rate of exactly 0 means "frozen": no update, no state change.
 */
public final class TorchSgd extends TorchUpdaterConfig {

    private final double momentum;
    private final boolean nesterov;

    public TorchSgd(@JsonProperty("learningRate") ISchedule learningRate,
                    @JsonProperty("momentum") double momentum,
                    @JsonProperty("nesterov") boolean nesterov) {
        super(learningRate);
        this.momentum = momentum;
        this.nesterov = nesterov;
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
    GradientUpdater<?> newUpdater() {
        return new Updater(this);
    }

    @Override
    public TorchSgd clone() {
        return new TorchSgd(getLearningRateSchedule().clone(), momentum, nesterov);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TorchSgd other && other.getLearningRateSchedule().equals(getLearningRateSchedule()) && other.momentum == momentum
                && other.nesterov == nesterov;
    }

    @Override
    public int hashCode() {
        return Objects.hash(getLearningRateSchedule(), momentum, nesterov);
    }

    @Override
    public String toString() {
        return "TorchSgd(lr=" + getLearningRateSchedule() + ", momentum=" + momentum + ", nesterov=" + nesterov + ")";
    }

    private static final class Updater implements GradientUpdater<TorchSgd> {
        private final TorchSgd config;
        private INDArray buffer;

        Updater(TorchSgd config) {
            this.config = config;
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
            this.buffer = StateViews.split(viewArray, 1, initialize)[0];
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
