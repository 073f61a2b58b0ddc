package dev.proxyanchor.datasets.image;

import java.io.Serializable;
import java.util.SplittableRandom;

/** Turns a decoded image into a network input of fixed shape, channels x height x width. */
public interface ImageTransform extends Serializable {

    int channels();

    int height();

    int width();

    /** The number of floats one image takes. */
    default int size() {
        return channels() * height() * width();
    }

    /**
     * Writes the transformed image into {@code out} from {@code at}, in CHW layout.
     *
     * @param random the draws of random augmentations; deterministic transforms ignore it
     */
    void apply(RgbImage image, SplittableRandom random, float[] out, int at);
}
