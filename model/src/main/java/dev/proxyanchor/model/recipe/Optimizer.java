package dev.proxyanchor.model.recipe;

import dev.proxyanchor.model.UsageException;
import dev.proxyanchor.model.optim.DecoupledWeightDecay;
import dev.proxyanchor.model.optim.TorchAdam;
import dev.proxyanchor.model.optim.TorchRmsProp;
import dev.proxyanchor.model.optim.TorchSgd;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * The official code's {@code --optimizer} choices with its hyper-parameters, as PyTorch computes them. Weight
 * decay is decoupled (scaled by the group's learning rate, after the update) for {@code adamw} and an L2 term added
 * to the gradient for the others, as in {@code torch.optim}.
 */
public enum Optimizer {
    ADAMW, ADAM, SGD, RMSPROP;

    public static Optimizer parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UsageException("unknown --optimizer '" + name + "'; expected one of "
                    + Arrays.stream(values()).map(Optimizer::flagName).toList());
        }
    }

    public String flagName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public IUpdater updater(ISchedule learningRate) {
        return switch (this) {
            case ADAMW, ADAM -> TorchAdam.withDefaults(learningRate);
            case SGD -> new TorchSgd(learningRate, 0.9, true);
            case RMSPROP -> new TorchRmsProp(learningRate, 0.9, 0.9, 1e-8);
        };
    }

    /**
     * Whether the step itself can clip the gradient by value ({@link TorchAdam#withClipValue}) where the official
     * code clips just before it: only when nothing is added to the gradient in between, that is with AdamW's
     * decoupled decay. The others add their L2 term after clipping and leave it to DL4J's gradient normalization.
     */
    public boolean clipsInStep() {
        return this == ADAMW;
    }

    /** {@link #updater(ISchedule)}, clipping the gradient's elements to [-clipValue, clipValue] first. */
    public IUpdater clippingUpdater(ISchedule learningRate, double clipValue) {
        if (!clipsInStep()) {
            throw new IllegalStateException(flagName() + " adds weight decay between clipping and its step");
        }
        return TorchAdam.withDefaults(learningRate).withClipValue(clipValue);
    }

    /** A mutable list: Kryo (Spark's broadcast of the configuration) cannot rebuild immutable ones. */
    public List<Regularization> regularization(double weightDecay) {
        List<Regularization> list = new ArrayList<>();
        if (weightDecay != 0.0) {
            list.add(this == ADAMW ? new DecoupledWeightDecay(weightDecay) : new L2Regularization(weightDecay));
        }
        return list;
    }
}
