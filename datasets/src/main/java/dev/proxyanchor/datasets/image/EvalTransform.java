package dev.proxyanchor.datasets.image;

import java.util.SplittableRandom;

/**
 * The official evaluation preprocessing: {@code Resize(resize)} (shorter side to {@code resize}, bilinear, the longer
 * side scaled and truncated as torchvision does) then {@code CenterCrop(crop)}, then the network's normalisation.
 */
public final class EvalTransform implements ImageTransform {

    private final Normalization normalization;
    private final int resize;
    private final int crop;

    public EvalTransform(Normalization normalization, int resize, int crop) {
        this.normalization = normalization;
        this.resize = resize;
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
        int w = image.width();
        int h = image.height();
        int resizedWidth = w <= h ? resize : (int) ((long) resize * w / h);
        int resizedHeight = w <= h ? (int) ((long) resize * h / w) : resize;
        RgbPlanes resized = Resampler.resize(image, new CropBox(0, 0, w, h), resizedWidth, resizedHeight);
        normalization.write(resized, CropBox.centered(resizedWidth, resizedHeight, crop, crop), false, out, at);
    }
}
