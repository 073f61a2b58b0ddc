package dev.proxyanchor.datasets.image;

import java.util.SplittableRandom;

/**
 * The official training augmentation: {@code RandomResizedCrop(crop)} (bilinear) then
 * {@code RandomHorizontalFlip(0.5)}, then the network's normalisation.
 */
public final class TrainTransform implements ImageTransform {

    private static final double FLIP_PROBABILITY = 0.5;

    private final Normalization normalization;
    private final int crop;

    public TrainTransform(Normalization normalization, int crop) {
        this.normalization = normalization;
        this.crop = crop;
    }

    @Override
    public int channels() {
        return normalization.channels();
    }

    @Override
    public int height() {
        return crop;
    }

    @Override
    public int width() {
        return crop;
    }

    @Override
    public void apply(RgbImage image, SplittableRandom random, float[] out, int at) {
        CropBox box = RandomResizedCrop.sample(image.width(), image.height(), random);
        RgbPlanes resized = Resampler.resize(image, box, crop, crop);
        boolean flip = random.nextDouble() < FLIP_PROBABILITY;
        normalization.write(resized, new CropBox(0, 0, crop, crop), flip, out, at);
    }
}
