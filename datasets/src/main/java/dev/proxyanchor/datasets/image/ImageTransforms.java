package dev.proxyanchor.datasets.image;

/** The official training and evaluation preprocessing, from the numbers a network's side gives. */
public final class ImageTransforms {

    private ImageTransforms() {}

    /**
     * @param size                     the side of the square the network reads
     * @param randomResizedCropAndFlip torchvision's {@code RandomResizedCrop(size)} + flip; else the whole image
     *                                 resized to {@code size x size}
     */
    public static ImageTransform training(Normalization normalization, int size, boolean randomResizedCropAndFlip) {
        return randomResizedCropAndFlip ? new TrainTransform(normalization, size)
                : new PlainTransform(normalization, size);
    }

    /**
     * @param resize the shorter side's length before the centre crop of {@code size}; 0 to resize the whole image to
     *               {@code size x size} instead
     */
    public static ImageTransform evaluation(Normalization normalization, int resize, int size) {
        return resize > 0 ? new EvalTransform(normalization, resize, size) : new PlainTransform(normalization, size);
    }
}
