package dev.proxyanchor.datasets.image;

import java.util.Locale;

/** The training and evaluation preprocessing of each backbone, by the name users type. */
public final class ImageTransforms {

    /** Fashion-MNIST's image side, which the small network takes as it is. */
    public static final int SMALL_CNN_SIZE = 28;

    private ImageTransforms() {}

    /** RandomResizedCrop + flip for ImageNet backbones; the plain 28x28 image for {@code small_cnn}. */
    public static ImageTransform forTraining(String backbone) {
        Normalization normalization = Normalization.forBackbone(backbone);
        return isSmallCnn(backbone) ? new PlainTransform(normalization, SMALL_CNN_SIZE)
                : new TrainTransform(normalization);
    }

    /** Resize 256 + centre crop 224 for ImageNet backbones; the plain 28x28 image for {@code small_cnn}. */
    public static ImageTransform forEvaluation(String backbone) {
        Normalization normalization = Normalization.forBackbone(backbone);
        return isSmallCnn(backbone) ? new PlainTransform(normalization, SMALL_CNN_SIZE)
                : new EvalTransform(normalization);
    }

    private static boolean isSmallCnn(String backbone) {
        return "small_cnn".equals(backbone.toLowerCase(Locale.ROOT));
    }
}
