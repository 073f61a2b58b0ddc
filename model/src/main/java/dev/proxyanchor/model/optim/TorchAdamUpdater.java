package dev.proxyanchor.model.optim;

import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The state and step of {@link TorchAdam}: state view = [m (n) | v (n) | step count (n)]. DL4J sizes updater state
 * per variable and hands one updater a block of several variables, so the state must be linear in n; the step count
 * is kept per element (PyTorch keeps one per tensor), all elements of a block equal.
 */
final class TorchAdamUpdater implements GradientUpdater<TorchAdam> {

    private final TorchAdam config;
    private INDArray m;
    private INDArray v;
    private INDArray step;

    TorchAdamUpdater(TorchAdam config) {
        this.config = config;
    }

    @Override
    public TorchAdam getConfig() {
        return config;
    }

    @Override
    public void setStateViewArray(INDArray viewArray, long[] gradientShape, char gradientOrder, boolean initialize) {
        INDArray[] parts = StateViews.split(viewArray, 3, initialize);
        this.m = parts[0];
        this.v = parts[1];
        this.step = parts[2];
    }

    @Override
    public void setState(Map<String, INDArray> stateMap, boolean initialize) {
        this.m = stateMap.get("M");
        this.v = stateMap.get("V");
        this.step = stateMap.get("step");
        if (initialize) {
            m.assign(0);
            v.assign(0);
            step.assign(0);
        }
    }

    @Override
    public Map<String, INDArray> getState() {
        Map<String, INDArray> state = new LinkedHashMap<>();
        state.put("M", m);
        state.put("V", v);
        state.put("step", step);
        return state;
    }

    @Override
    public void applyUpdater(INDArray gradient, int iteration, int epoch) {
        double lr = config.getLearningRate(iteration, epoch);
        INDArray g = gradient.reshape(gradient.length());
        if (lr == 0.0) {
            g.assign(0);
            return;
        }
        double clip = config.getClipValue() > 0 ? config.getClipValue() : Double.POSITIVE_INFINITY;
        // Every element of the count holds the same step number (see the class comment).
        double t = step.getDouble(0) + 1;
        double beta1 = config.getBeta1();
        double beta2 = config.getBeta2();
        double biasCorrection1 = 1 - Math.pow(beta1, t);
        double biasCorrection2Sqrt = Math.sqrt(1 - Math.pow(beta2, t));
        if (AdamSweep.accepts(g, m, v, step)) {
            AdamSweep.step(g, m, v, step, beta1, beta2, config.getEpsilon(), lr / biasCorrection1,
                    biasCorrection2Sqrt, clip);
            return;
        }
        if (config.getClipValue() > 0) {
            Transforms.min(Transforms.max(g, -clip, false), clip, false);
        }
        step.addi(1.0);
        m.muli(beta1).addi(g.mul(1 - beta1));
        v.muli(beta2).addi(g.mul(g).muli(1 - beta2));
        INDArray denominator = Transforms.sqrt(v, true).divi(biasCorrection2Sqrt).addi(config.getEpsilon());
        g.assign(m.div(denominator).muli(lr / biasCorrection1));
    }
}
