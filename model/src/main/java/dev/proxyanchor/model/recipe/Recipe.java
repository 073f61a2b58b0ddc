package dev.proxyanchor.model.recipe;

import dev.proxyanchor.model.UserInputException;
import dev.proxyanchor.model.loss.ProxyAnchorLoss;
import dev.proxyanchor.model.optim.GroupLearningRate;

/**
 * Everything that decides how the network is built and trained, with the official {@code train.py} defaults:
 * embedding size 512, AdamW, lr 1e-4, weight decay 1e-4, step decay every 10 epochs by 0.5, proxies at 100 x lr,
 * one warm-up epoch, BatchNorm frozen, L2-normalised embeddings, alpha 32, margin 0.1, gradients clipped to
 * [-10, 10].
 */
public record Recipe(
        String model,
        int embeddingSize,
        int numProxies,
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

    public Recipe {
        requirePositive("--embedding-size", embeddingSize);
        requirePositive("number of proxies (training classes)", numProxies);
        requirePositive("--lr-decay-step", lrDecayStep);
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw new UserInputException("--lr must be a positive number, got " + lr);
        }
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
            throw new UserInputException("--weight-decay must be >= 0, got " + weightDecay);
        }
        if (!(lrDecayGamma > 0) || lrDecayGamma > 1) {
            throw new UserInputException("--lr-decay-gamma must be in (0, 1], got " + lrDecayGamma);
        }
        if (!(proxyLrScale > 0) || Double.isInfinite(proxyLrScale)) {
            throw new UserInputException("--proxy-lr-scale must be a positive number, got " + proxyLrScale);
        }
        if (warm < 0) {
            throw new UserInputException("--warm must be >= 0 epochs, got " + warm);
        }
        if (!(clipValue > 0)) {
            throw new UserInputException("the gradient clip value must be positive, got " + clipValue);
        }
        new ProxyAnchorLoss(alpha, margin);
    }

    private static void requirePositive(String what, int value) {
        if (value <= 0) {
            throw new UserInputException(what + " must be a positive integer, got " + value);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().model(model).embeddingSize(embeddingSize).numProxies(numProxies).optimizer(optimizer)
                .lr(lr).weightDecay(weightDecay).lrDecayStep(lrDecayStep).lrDecayGamma(lrDecayGamma)
                .proxyLrScale(proxyLrScale).warm(warm).bnFreeze(bnFreeze).l2Norm(l2Norm).alpha(alpha)
                .margin(margin).clipValue(clipValue).seed(seed);
    }

    public ProxyAnchorLoss loss() {
        return new ProxyAnchorLoss(alpha, margin);
    }

    /** The learning rate schedule of a parameter group (the backbone is frozen during the warm-up epochs). */
    public GroupLearningRate learningRate(ParameterGroup group) {
        return switch (group) {
            case BACKBONE -> new GroupLearningRate(lr, lrDecayGamma, lrDecayStep, warm);
            case EMBEDDING -> new GroupLearningRate(lr, lrDecayGamma, lrDecayStep, 0);
            case PROXIES -> new GroupLearningRate(lr * proxyLrScale, lrDecayGamma, lrDecayStep, 0);
        };
    }

    /** The learning rate a group trains with in a given (0-based) epoch. */
    public double learningRate(ParameterGroup group, int epoch) {
        return learningRate(group).valueAt(0, epoch);
    }

    public static final class Builder {
        private String model = "bn_inception";
        private int embeddingSize = 512;
        private int numProxies = -1;
        private Optimizer optimizer = Optimizer.ADAMW;
        private double lr = 1e-4;
        private double weightDecay = 1e-4;
        private int lrDecayStep = 10;
        private double lrDecayGamma = 0.5;
        private double proxyLrScale = 100;
        private int warm = 1;
        private boolean bnFreeze = true;
        private boolean l2Norm = true;
        private double alpha = ProxyAnchorLoss.DEFAULT_ALPHA;
        private double margin = ProxyAnchorLoss.DEFAULT_MARGIN;
        private double clipValue = 10;
        private long seed = 1;

        public Builder model(String v) { model = v; return this; }
        public Builder embeddingSize(int v) { embeddingSize = v; return this; }
        public Builder numProxies(int v) { numProxies = v; return this; }
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
            return new Recipe(model, embeddingSize, numProxies, optimizer, lr, weightDecay, lrDecayStep,
                    lrDecayGamma, proxyLrScale, warm, bnFreeze, l2Norm, alpha, margin, clipValue, seed);
        }
    }
}
