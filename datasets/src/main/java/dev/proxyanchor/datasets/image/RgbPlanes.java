package dev.proxyanchor.datasets.image;

/**
 * An RGB image as three planes of values 0..255 (whole numbers, as PIL's 8-bit images hold), the form the
 * resampler produces and {@link Normalization} reads.
 */
public record RgbPlanes(int width, int height, float[] red, float[] green, float[] blue) {

    public static RgbPlanes allocate(int width, int height) {
        int n = width * height;
        return new RgbPlanes(width, height, new float[n], new float[n], new float[n]);
    }

    /** The planes of a decoded image, unchanged. */
    public static RgbPlanes of(RgbImage image) {
        RgbPlanes planes = allocate(image.width(), image.height());
        int[] pixels = image.pixels();
        for (int i = 0; i < pixels.length; i++) {
            planes.red[i] = pixels[i] >>> 16 & 0xFF;
            planes.green[i] = pixels[i] >>> 8 & 0xFF;
            planes.blue[i] = pixels[i] & 0xFF;
        }
        return planes;
    }
}
