package dev.proxyanchor.datasets.image;

import java.awt.image.Raster;

/**
 * Four-channel JPEGs (CMYK, or YCCK: CMYK stored as YCbCr + K) to RGB. ImageIO decodes their raw channels but refuses
 * to convert them. Adobe applications write the channels inverted (255 = no ink), which the Adobe marker tells; the
 * conversion is the naive one, without the file's ICC profile, which is close enough for training on photos.
 */
final class CmykConversion {

    /** The Adobe APP14 marker's colour transform codes. */
    static final int ADOBE_NONE = 0;
    static final int ADOBE_YCCK = 2;

    private CmykConversion() {}

    /**
     * @param adobeTransform the Adobe marker's transform, or -1 when the file has no Adobe marker (plain,
     *     non-inverted CMYK)
     */
    static RgbImage toRgb(Raster raster, int adobeTransform) {
        int width = raster.getWidth();
        int height = raster.getHeight();
        int[] pixels = new int[width * height];
        int[] px = new int[4];
        boolean inverted = adobeTransform >= 0;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                raster.getPixel(raster.getMinX() + x, raster.getMinY() + y, px);
                int c;
                int m;
                int ye;
                int k;
                if (adobeTransform == ADOBE_YCCK) {
                    // YCbCr -> RGB gives the C, M, Y ink (libjpeg's reading); K stays as stored (inverted).
                    c = 255 - clamp(px[0] + 1.402 * (px[2] - 128));
                    m = 255 - clamp(px[0] - 0.344136 * (px[1] - 128) - 0.714136 * (px[2] - 128));
                    ye = 255 - clamp(px[0] + 1.772 * (px[1] - 128));
                    k = px[3];
                } else if (inverted) {
                    c = px[0];
                    m = px[1];
                    ye = px[2];
                    k = px[3];
                } else {
                    c = 255 - px[0];
                    m = 255 - px[1];
                    ye = 255 - px[2];
                    k = 255 - px[3];
                }
                // Here each value is 255 - ink: red = (255 - C)(255 - K) / 255, and so on.
                int r = (c * k + 127) / 255;
                int g = (m * k + 127) / 255;
                int b = (ye * k + 127) / 255;
                pixels[y * width + x] = r << 16 | g << 8 | b;
            }
        }
        return new RgbImage(width, height, pixels);
    }

    private static int clamp(double value) {
        return Math.max(0, Math.min(255, (int) Math.round(value)));
    }
}
