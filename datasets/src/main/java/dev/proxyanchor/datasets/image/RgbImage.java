package dev.proxyanchor.datasets.image;

/**
 * A decoded 8-bit RGB image.
 *
 * @param pixels row-major, one {@code 0xRRGGBB} int per pixel
 */
public record RgbImage(int width, int height, int[] pixels) {

    public RgbImage {
        if (width <= 0 || height <= 0 || pixels.length != width * height) {
            throw new IllegalArgumentException("a " + width + "x" + height + " image needs " + width * height
                    + " pixels, got " + pixels.length);
        }
    }

    /** A grey image, each value 0..255 copied to R, G and B. */
    public static RgbImage ofGray(int width, int height, byte[] values, int offset) {
        int[] pixels = new int[width * height];
        for (int i = 0; i < pixels.length; i++) {
            int v = values[offset + i] & 0xFF;
            pixels[i] = v << 16 | v << 8 | v;
        }
        return new RgbImage(width, height, pixels);
    }
}
