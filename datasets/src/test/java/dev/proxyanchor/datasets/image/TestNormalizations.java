package dev.proxyanchor.datasets.image;

/**
 * The normalisations of the project's backbones, written out as numbers because the datasets module never sees a
 * network: the official code's BN-Inception (Caffe BGR), torchvision's ImageNet, and the small Fashion-MNIST network's
 * grey [0, 1]. spark-job's {@code InputTransformsTest} checks that the backbones' own specs give these.
 */
public final class TestNormalizations {

    public static final Normalization BN_INCEPTION = new Normalization(Normalization.Channels.BGR, 1,
            new double[] {104, 117, 128}, new double[] {1, 1, 1});
    public static final Normalization IMAGENET = new Normalization(Normalization.Channels.RGB, 1.0 / 255,
            new double[] {0.485, 0.456, 0.406}, new double[] {0.229, 0.224, 0.225});
    public static final Normalization GREY_UNIT = new Normalization(Normalization.Channels.GREY, 1.0 / 255,
            new double[] {0}, new double[] {1});

    private TestNormalizations() {}

    /** The official evaluation transform: Resize(256), CenterCrop(224). */
    public static ImageTransform evaluation(Normalization normalization) {
        return ImageTransforms.evaluation(normalization, 256, 224);
    }

    /** The official training transform: RandomResizedCrop(224), flip. */
    public static ImageTransform training(Normalization normalization) {
        return ImageTransforms.training(normalization, 224, true);
    }
}
