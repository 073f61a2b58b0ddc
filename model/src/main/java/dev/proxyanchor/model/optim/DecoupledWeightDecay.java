package dev.proxyanchor.model.optim;

import dev.proxyanchor.model.runtime.ContiguousFloats;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.regularization.WeightDecay;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * AdamW's decoupled weight decay as {@code torch.optim.AdamW} applies it: the update gains lr * coeff * param after
 * the Adam step (DL4J's {@link WeightDecay} with the learning rate applied), and, unlike DL4J's, it adds nothing to
 * the loss: PyTorch never puts the decay into the loss, and the official code reports the Proxy-Anchor loss alone.
 * That also spares a norm over every parameter each iteration.
 *
 * <p>On host float32 arrays the update is one Java sweep, split across threads, instead of an ND4J op per parameter
 * block.
 */
public class DecoupledWeightDecay extends WeightDecay {

    private static final int CHUNK = 16384;

    public DecoupledWeightDecay(double coeff) {
        super(coeff, true);
    }

    /** For JSON. */
    public DecoupledWeightDecay(@JsonProperty("coeff") ISchedule coeff, @JsonProperty("applyLR") boolean applyLR) {
        super(coeff, applyLR);
    }

    @Override
    public void apply(INDArray param, INDArray gradView, double lr, int iteration, int epoch) {
        if (!ContiguousFloats.all(param, gradView) || param.length() != gradView.length()) {
            super.apply(param, gradView, lr, iteration, epoch);
            return;
        }
        float scale = (float) (coeff.valueAt(iteration, epoch) * (applyLR ? lr : 1.0));
        FloatBuffer p = ContiguousFloats.of(param);
        FloatBuffer g = ContiguousFloats.of(gradView);
        long n = param.length();
        ContiguousFloats.indices((n + CHUNK - 1) / CHUNK).forEach(chunk -> {
            for (int i = chunk * CHUNK, to = (int) Math.min(i + (long) CHUNK, n); i < to; i++) {
                g.put(i, g.get(i) + scale * p.get(i));
            }
        });
    }

    @Override
    public double score(INDArray param, int iteration, int epoch) {
        return 0.0;
    }

    @Override
    public DecoupledWeightDecay clone() {
        return new DecoupledWeightDecay(coeff.clone(), applyLR);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DecoupledWeightDecay && super.equals(o);
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + DecoupledWeightDecay.class.hashCode();
    }
}
