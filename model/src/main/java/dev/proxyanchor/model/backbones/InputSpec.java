package dev.proxyanchor.model.backbones;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * What a backbone expects as input, as numbers (as timm's {@code PretrainedCfg} holds them): the side of the square
 * it reads, the channel order, the scale applied to 8-bit values, the mean and standard deviation per channel, the
 * evaluation resize before the centre crop, and the training augmentation. Each backbone owns its spec; spark-job
 * turns it into the datasets module's transforms (which take plain numbers, never a network or its name). A network channel {@code c} receives
 * {@code (value * scale - mean[c]) / std[c]} for the 8-bit value of that channel.
 *
 * @param channels     the network's channels, in its order
 * @param size         the side of the square image the network reads (the training and evaluation crop)
 * @param scale        the factor applied to 8-bit values before the mean is subtracted ({@code 1/255} for
 *                     torchvision's {@code ToTensor}, 1 for networks trained on values in [0, 255])
 * @param mean         per network channel, in the network's channel order
 * @param std          per network channel, in the network's channel order
 * @param evalResize   the shorter side's length before the centre crop of {@code size} at evaluation; 0 to resize
 *                     the whole image to {@code size x size} instead
 * @param augmentation the training augmentation
 */
public record InputSpec(Channels channels, int size, double scale, List<Double> mean, List<Double> std,
                        int evalResize, Augmentation augmentation) implements Serializable {

    /** The channels the network reads, in its order. */
    public enum Channels {
        RGB(3), BGR(3), GREY(1);

        private final int count;

        Channels(int count) {
            this.count = count;
        }

        public int count() {
            return count;
        }
    }

    /** How training images are augmented before normalisation. */
    public enum Augmentation {
        /** torchvision's {@code RandomResizedCrop(size)} (bilinear) then {@code RandomHorizontalFlip()}. */
        RANDOM_RESIZED_CROP_AND_FLIP,
        /** None: the whole image resized to {@code size x size}, as at evaluation. */
        NONE
    }

    /**
     * torchvision's ImageNet models (ResNet, GoogLeNet): RGB scaled to [0, 1], ImageNet mean and std;
     * {@code Resize(256)} + {@code CenterCrop(224)} at evaluation, {@code RandomResizedCrop(224)} + flip in training
     * (the official Proxy-Anchor code's {@code make_transform} for every model but BN-Inception).
     */
    public static final InputSpec TORCHVISION_IMAGENET = builder(Channels.RGB, 224).scale(1.0 / 255)
            .mean(0.485, 0.456, 0.406).std(0.229, 0.224, 0.225).evalResize(256)
            .augmentation(Augmentation.RANDOM_RESIZED_CROP_AND_FLIP).build();

    public InputSpec {
        Objects.requireNonNull(channels, "channels");
        Objects.requireNonNull(augmentation, "augmentation");
        mean = List.copyOf(mean);
        std = List.copyOf(std);
        if (size <= 0) {
            throw new IllegalArgumentException("input size must be positive, got " + size);
        }
        if (mean.size() != channels.count() || std.size() != channels.count()) {
            throw new IllegalArgumentException(channels + " needs " + channels.count() + " means and stds, got "
                    + mean + " and " + std);
        }
        if (std.stream().anyMatch(s -> !(s > 0))) {
            throw new IllegalArgumentException("standard deviations must be positive, got " + std);
        }
        if (!(scale > 0)) {
            throw new IllegalArgumentException("scale must be positive, got " + scale);
        }
        if (evalResize != 0 && evalResize < size) {
            throw new IllegalArgumentException("the evaluation resize (" + evalResize + ") must be 0 or at least the "
                    + "crop (" + size + ")");
        }
    }

    /**
     * The required parts: channels and size. Defaults: scale 1/255, mean 0 and std 1 per channel, no evaluation
     * resize, no augmentation.
     */
    public static Builder builder(Channels channels, int size) {
        return new Builder(channels, size);
    }

    /** The factor of network channel {@code c}: {@code scale / std[c]}. */
    public double multiplier(int c) {
        return scale / std.get(c);
    }

    /** The offset of network channel {@code c}: {@code -mean[c] / std[c]}. */
    public double offset(int c) {
        return -mean.get(c) / std.get(c);
    }

    public static final class Builder {
        private final Channels channels;
        private final int size;
        private double scale = 1.0 / 255;
        private List<Double> mean;
        private List<Double> std;
        private int evalResize;
        private Augmentation augmentation = Augmentation.NONE;

        private Builder(Channels channels, int size) {
            this.channels = channels;
            this.size = size;
            this.mean = Collections.nCopies(channels.count(), 0.0);
            this.std = Collections.nCopies(channels.count(), 1.0);
        }

        public Builder scale(double scale) {
            this.scale = scale;
            return this;
        }

        public Builder mean(double... mean) {
            this.mean = Arrays.stream(mean).boxed().toList();
            return this;
        }

        public Builder std(double... std) {
            this.std = Arrays.stream(std).boxed().toList();
            return this;
        }

        public Builder evalResize(int evalResize) {
            this.evalResize = evalResize;
            return this;
        }

        public Builder augmentation(Augmentation augmentation) {
            this.augmentation = augmentation;
            return this;
        }

        public InputSpec build() {
            return new InputSpec(channels, size, scale, mean, std, evalResize, augmentation);
        }
    }
}
