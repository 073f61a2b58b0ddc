package dev.proxyanchor.datasets.image;

import java.util.SplittableRandom;

/**
 * No augmentation: the image as it is (resized to {@code size x size} when it is not that already), normalised. The
 * small Fashion-MNIST network trains and evaluates on the 28x28 images this way.
 */
public final class PlainTransform implements ImageTransform {

    private final Normalization normalization;
    private final int size;

    public PlainTransform(Normalization normalization, int size) {
        this.normalization = normalization;
        this.size = size;
    }

    @Override
    public int channels() {
        return normalization.channels();
    }

    @Override
    public int height() {
        return size;
    }

    @Override
    public int width() {
        return size;
    }

    @Override
    public void apply(RgbImage image, SplittableRandom random, float[] out, int at) {
        CropBox whole = new CropBox(0, 0, image.width(), image.height());
        RgbPlanes planes = image.width() == size && image.height() == size
                ? RgbPlanes.of(image)
                : Resampler.resize(image, whole, size, size);
        normalization.write(planes, new CropBox(0, 0, size, size), false, out, at);
    }
}
