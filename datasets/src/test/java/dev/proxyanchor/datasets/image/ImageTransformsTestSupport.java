package dev.proxyanchor.datasets.image;

import java.util.SplittableRandom;

final class ImageTransformsTestSupport {

    private ImageTransformsTestSupport() {}

    static RgbImage randomImage(int width, int height, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] pixels = new int[width * height];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = random.nextInt(1 << 24);
        }
        return new RgbImage(width, height, pixels);
    }

    /** Red rises left to right (4 levels a column), so a mirrored output has falling red. */
    static RgbImage horizontalRamp(int width, int height) {
        int[] pixels = new int[width * height];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                pixels[y * width + x] = Math.min(255, 4 * x) << 16;
            }
        }
        return new RgbImage(width, height, pixels);
    }
}
