package dev.proxyanchor.model.optim;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * What the PyTorch-style updaters share: a learning rate given by a schedule (the recipe's per-group step decay
 * and warm-up freeze), and instantiation from either a state view or a state map.
 */
abstract class TorchUpdaterConfig implements IUpdater {

    private final ISchedule learningRate;

    TorchUpdaterConfig(ISchedule learningRate) {
        this.learningRate = java.util.Objects.requireNonNull(learningRate, "learningRate");
    }

    public ISchedule getLearningRateSchedule() {
        return learningRate;
    }

    /** A fresh, uninitialised updater for this configuration. */
    abstract GradientUpdater<?> newUpdater();

    @Override
    public GradientUpdater instantiate(INDArray viewArray, boolean initializeViewArray) {
        GradientUpdater<?> updater = newUpdater();
        updater.setStateViewArray(viewArray, null, 'c', initializeViewArray);
        return updater;
    }

    @Override
    public GradientUpdater instantiate(Map<String, INDArray> updaterState, boolean initializeStateArrays) {
        GradientUpdater<?> updater = newUpdater();
        updater.setState(updaterState, initializeStateArrays);
        return updater;
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
        throw new UnsupportedOperationException(getClass().getSimpleName()
                + "'s learning rate is set by the training recipe's schedule");
    }

    @Override
    public abstract TorchUpdaterConfig clone();
}
