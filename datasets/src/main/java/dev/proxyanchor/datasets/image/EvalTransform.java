package dev.proxyanchor.datasets.image;

import java.util.SplittableRandom;

/**
 * The official evaluation preprocessing: {@code Resize(256)} (shorter side to 256, bilinear, the longer side scaled
 * and truncated as torchvision does) then {@code CenterCrop(224)}, then the backbone's normalisation.
 */
public final class EvalTransform implements ImageTransform {

    public static final int RESIZE = 256;
    public static final int CROP = 224;

    private final Normalization normalization;

    public EvalTransform(Normalization normalization) {
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
        int w = image.width();
        int h = image.height();
        int resizedWidth = w <= h ? RESIZE : (int) ((long) RESIZE * w / h);
        int resizedHeight = w <= h ? (int) ((long) RESIZE * h / w) : RESIZE;
        RgbPlanes resized = Resampler.resize(image, new CropBox(0, 0, w, h), resizedWidth, resizedHeight);
        normalization.write(resized, CropBox.centered(resizedWidth, resizedHeight, CROP, CROP), false, out, at);
    }
}
