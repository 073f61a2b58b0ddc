package dev.proxyanchor.model.recipe;

import dev.proxyanchor.model.UsageException;
import dev.proxyanchor.model.loss.LossEntry;
import dev.proxyanchor.model.loss.Losses;
import dev.proxyanchor.model.loss.MetricLoss;
import dev.proxyanchor.model.loss.ProxyAnchorLoss;
import dev.proxyanchor.model.loss.ProxyHead;
import dev.proxyanchor.model.optim.GroupLearningRate;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything that decides how the network is built and trained, with the official {@code train.py} defaults:
 * Proxy_Anchor, embedding size 512, AdamW, lr 1e-4, weight decay 1e-4, step decay every 10 epochs by 0.5, proxies at
 * 100 x lr, one warm-up epoch, BatchNorm frozen, L2-normalised embeddings, alpha 32, margin 0.1, gradients clipped
 * to [-10, 10]. {@code loss} is an official {@code --loss} name ({@link Losses}); {@code alpha}, {@code margin} and
 * {@code proxyLrScale} reach only Proxy_Anchor, as in the official code.
 *
 * @param numClasses the number of training classes (one proxy each, for a loss with proxies)
 */
public record Recipe(
        String model,
        String loss,
        int embeddingSize,
        int numClasses,
        Optimizer optimizer,
        double lr,
        double weightDecay,
        int lrDecayStep,
        double lrDecayGamma,
        double proxyLrScale,
        int warm,
        boolean bnFreeze,
        boolean l2Norm,
        double alpha,
        double margin,
        double clipValue,
        long seed) {

    /** The official proxies' learning rate over {@code --lr} (Proxy_Anchor's). */
    public static final double DEFAULT_PROXY_LR_SCALE = 100;

    public Recipe {
        loss = Losses.get(loss).name();
        requirePositive("--embedding-size", embeddingSize);
        requirePositive("number of training classes", numClasses);
        requirePositive("--lr-decay-step", lrDecayStep);
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw new UsageException("--lr must be a positive number, got " + lr);
        }
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
            throw new UsageException("--weight-decay must be >= 0, got " + weightDecay);
        }
        if (!(lrDecayGamma > 0) || lrDecayGamma > 1) {
            throw new UsageException("--lr-decay-gamma must be in (0, 1], got " + lrDecayGamma);
        }
        if (!(proxyLrScale > 0) || Double.isInfinite(proxyLrScale)) {
            throw new UsageException("--proxy-lr-scale must be a positive number, got " + proxyLrScale);
        }
        if (warm < 0) {
            throw new UsageException("--warm must be >= 0 epochs, got " + warm);
        }
        if (!(clipValue > 0)) {
            throw new UsageException("the gradient clip value must be positive, got " + clipValue);
        }
        ProxyAnchorLoss.requireValid(alpha, margin);
    }

    private static void requirePositive(String what, int value) {
        if (value <= 0) {
            throw new UsageException(what + " must be a positive integer, got " + value);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().model(model).loss(loss).embeddingSize(embeddingSize).numClasses(numClasses)
                .optimizer(optimizer)
                .lr(lr).weightDecay(weightDecay).lrDecayStep(lrDecayStep).lrDecayGamma(lrDecayGamma)
                .proxyLrScale(proxyLrScale).warm(warm).bnFreeze(bnFreeze).l2Norm(l2Norm).alpha(alpha)
                .margin(margin).clipValue(clipValue).seed(seed);
    }

    /** What the registry says about this recipe's loss. */
    public LossEntry lossEntry() {
        return Losses.get(loss);
    }

    /** The loss function of the network's loss layer. */
    public MetricLoss<?> lossFunction() {
        return lossEntry().create(this);
    }

    /** The optimizer groups of this recipe: backbone, embedding, and the proxies when the loss has them. */
    public List<ParameterGroup> parameterGroups() {
        List<ParameterGroup> groups = new ArrayList<>(List.of(ParameterGroup.BACKBONE, ParameterGroup.EMBEDDING));
        lossEntry().proxyHead().ifPresent(head -> groups.add(ParameterGroup.PROXIES));
        return groups;
    }

    /**
     * The learning rate schedule of a parameter group (the backbone is frozen during the warm-up epochs; the proxies,
     * where the loss has them, train from the first epoch at the loss's multiple of {@code --lr}).
     */
    public GroupLearningRate learningRate(ParameterGroup group) {
        return switch (group) {
            case BACKBONE -> new GroupLearningRate(lr, lrDecayGamma, lrDecayStep, warm);
            case EMBEDDING -> new GroupLearningRate(lr, lrDecayGamma, lrDecayStep, 0);
            case PROXIES -> new GroupLearningRate(lr * proxyHead().learningRateScale().applyAsDouble(this),
                    lrDecayGamma, lrDecayStep, 0);
        };
    }

    private ProxyHead proxyHead() {
        return lossEntry().proxyHead().orElseThrow(() -> new IllegalStateException(
                "--loss " + loss + " has no proxies"));
    }

    /** The learning rate a group trains with in a given (0-based) epoch. */
    public double learningRate(ParameterGroup group, int epoch) {
        return learningRate(group).valueAt(0, epoch);
    }

    public static final class Builder {
        private String model = "bn_inception";
        private String loss = Losses.PROXY_ANCHOR;
        private int embeddingSize = 512;
        private int numClasses = -1;
        private Optimizer optimizer = Optimizer.ADAMW;
        private double lr = 1e-4;
        private double weightDecay = 1e-4;
        private int lrDecayStep = 10;
        private double lrDecayGamma = 0.5;
        private double proxyLrScale = DEFAULT_PROXY_LR_SCALE;
        private int warm = 1;
        private boolean bnFreeze = true;
        private boolean l2Norm = true;
        private double alpha = ProxyAnchorLoss.DEFAULT_ALPHA;
        private double margin = ProxyAnchorLoss.DEFAULT_MARGIN;
        private double clipValue = 10;
        private long seed = 1;

        public Builder model(String v) { model = v; return this; }
        public Builder loss(String v) { loss = v; return this; }
        public Builder embeddingSize(int v) { embeddingSize = v; return this; }
        public Builder numClasses(int v) { numClasses = v; return this; }
        public Builder optimizer(Optimizer v) { optimizer = v; return this; }
        public Builder lr(double v) { lr = v; return this; }
        public Builder weightDecay(double v) { weightDecay = v; return this; }
        public Builder lrDecayStep(int v) { lrDecayStep = v; return this; }
        public Builder lrDecayGamma(double v) { lrDecayGamma = v; return this; }
        public Builder proxyLrScale(double v) { proxyLrScale = v; return this; }
        public Builder warm(int v) { warm = v; return this; }
        public Builder bnFreeze(boolean v) { bnFreeze = v; return this; }
        public Builder l2Norm(boolean v) { l2Norm = v; return this; }
        public Builder alpha(double v) { alpha = v; return this; }
        public Builder margin(double v) { margin = v; return this; }
        public Builder clipValue(double v) { clipValue = v; return this; }
        public Builder seed(long v) { seed = v; return this; }

        public Recipe build() {
            return new Recipe(model, loss, embeddingSize, numClasses, optimizer, lr, weightDecay, lrDecayStep,
                    lrDecayGamma, proxyLrScale, warm, bnFreeze, l2Norm, alpha, margin, clipValue, seed);
        }
    }
}
