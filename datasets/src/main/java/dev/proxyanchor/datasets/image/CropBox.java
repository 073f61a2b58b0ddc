package dev.proxyanchor.datasets.image;

/** A rectangle of an image in pixels: left column, top row, width, height. */
public record CropBox(int left, int top, int width, int height) {

    /** torchvision's {@code CenterCrop} box: offsets rounded half to even, as Python's {@code round}. */
    public static CropBox centered(int imageWidth, int imageHeight, int width, int height) {
        int top = (int) Math.rint((imageHeight - height) / 2.0);
        int left = (int) Math.rint((imageWidth - width) / 2.0);
        return new CropBox(left, top, width, height);
    }
}
