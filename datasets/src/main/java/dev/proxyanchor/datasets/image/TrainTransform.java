package dev.proxyanchor.datasets.image;

import java.util.SplittableRandom;

/**
 * The official training augmentation: {@code RandomResizedCrop(224)} (bilinear) then
 * {@code RandomHorizontalFlip(0.5)}, then the backbone's normalisation.
 */
public final class TrainTransform implements ImageTransform {

    public static final int CROP = 224;
    private static final double FLIP_PROBABILITY = 0.5;

    private final Normalization normalization;

    public TrainTransform(Normalization normalization) {
        this.normalization = normalization;
    }

    @Override
    public int channels() {
        return normalization.channels();
    }

    @Override
    public int height() {
        return CROP;
    }

    @Override
    public int width() {
        return CROP;
    }

    @Override
    public void apply(RgbImage image, SplittableRandom random, float[] out, int at) {
        CropBox box = RandomResizedCrop.sample(image.width(), image.height(), random);
        RgbPlanes crop = Resampler.resize(image, box, CROP, CROP);
        boolean flip = random.nextDouble() < FLIP_PROBABILITY;
        normalization.write(crop, new CropBox(0, 0, CROP, CROP), flip, out, at);
    }
}
