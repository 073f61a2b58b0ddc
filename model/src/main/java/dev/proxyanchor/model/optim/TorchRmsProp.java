package dev.proxyanchor.model.optim;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * RMSprop with momentum as PyTorch computes it (not centred): sq = alpha * sq + (1 - alpha) g^2;
 * buf = momentum * buf + g / (sqrt(sq) + eps); the step is lr * buf. DL4J's {@code RmsProp} has no momentum.
 * A learning rate of exactly 0 means "frozen": no update, no state change.
 */
public final class TorchRmsProp extends TorchUpdaterConfig {

    private final double alpha;
    private final double momentum;
    private final double epsilon;

    public TorchRmsProp(@JsonProperty("learningRate") ISchedule learningRate,
                        @JsonProperty("alpha") double alpha,
                        @JsonProperty("momentum") double momentum,
                        @JsonProperty("epsilon") double epsilon) {
        super(learningRate);
        this.alpha = alpha;
        this.momentum = momentum;
        this.epsilon = epsilon;
    }

    public double getAlpha() {
        return alpha;
    }

    public double getMomentum() {
        return momentum;
    }

    public double getEpsilon() {
        return epsilon;
    }

    @Override
    public long stateSize(long numParams) {
        return 2 * numParams;
    }

    @Override
    GradientUpdater<?> newUpdater() {
        return new Updater(this);
    }

    @Override
    public TorchRmsProp clone() {
        return new TorchRmsProp(getLearningRateSchedule().clone(), alpha, momentum, epsilon);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TorchRmsProp other && other.getLearningRateSchedule().equals(getLearningRateSchedule()) && other.alpha == alpha
                && other.momentum == momentum && other.epsilon == epsilon;
    }

    @Override
    public int hashCode() {
        return Objects.hash(getLearningRateSchedule(), alpha, momentum, epsilon);
    }

    @Override
    public String toString() {
        return "TorchRmsProp(lr=" + getLearningRateSchedule() + ", alpha=" + alpha + ", momentum=" + momentum + ")";
    }

    private static final class Updater implements GradientUpdater<TorchRmsProp> {
        private final TorchRmsProp config;
        private INDArray squareAverage;
        private INDArray buffer;

        Updater(TorchRmsProp config) {
            this.config = config;
        }

        @Override
        public TorchRmsProp getConfig() {
            return config;
        }

        @Override
        public void setState(Map<String, INDArray> stateMap, boolean initialize) {
            this.squareAverage = stateMap.get("square_avg");
            this.buffer = stateMap.get("momentum");
            if (initialize) {
                squareAverage.assign(0);
                buffer.assign(0);
            }
        }

        @Override
        public Map<String, INDArray> getState() {
            Map<String, INDArray> state = new LinkedHashMap<>();
            state.put("square_avg", squareAverage);
            state.put("momentum", buffer);
            return state;
        }

        @Override
        public void setStateViewArray(INDArray viewArray, long[] gradientShape, char order, boolean initialize) {
            INDArray[] parts = StateViews.split(viewArray, 2, initialize);
            this.squareAverage = parts[0];
            this.buffer = parts[1];
        }

        @Override
        public void applyUpdater(INDArray gradient, int iteration, int epoch) {
            double lr = config.getLearningRate(iteration, epoch);
            INDArray g = gradient.reshape(gradient.length());
            if (lr == 0.0) {
                g.assign(0);
                return;
            }
            double alpha = config.getAlpha();
            squareAverage.muli(alpha).addi(g.mul(g).muli(1 - alpha));
            INDArray denominator = Transforms.sqrt(squareAverage, true).addi(config.getEpsilon());
            buffer.muli(config.getMomentum()).addi(g.div(denominator));
            g.assign(buffer.mul(lr));
        }
    }
}
