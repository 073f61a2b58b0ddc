package dev.proxyanchor.datasets.image;

import java.util.SplittableRandom;

/**
 * torchvision's {@code RandomResizedCrop.get_params}: up to 10 tries at a box of random area (a share of the image in
 * [0.08, 1]) and random aspect ratio (log-uniform in [3/4, 4/3]) that fits the image, else a centre crop clamped to
 * the ratio range.
 */
public final class RandomResizedCrop {

    public static final double MIN_SCALE = 0.08;
    public static final double MAX_SCALE = 1.0;
    public static final double MIN_RATIO = 3.0 / 4.0;
    public static final double MAX_RATIO = 4.0 / 3.0;
    private static final int ATTEMPTS = 10;

    private RandomResizedCrop() {}

    public static CropBox sample(int width, int height, SplittableRandom random) {
        double area = (double) width * height;
        double logMin = Math.log(MIN_RATIO);
        double logMax = Math.log(MAX_RATIO);
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            double targetArea = area * uniform(random, MIN_SCALE, MAX_SCALE);
            double aspectRatio = Math.exp(uniform(random, logMin, logMax));
            int w = (int) Math.rint(Math.sqrt(targetArea * aspectRatio));
            int h = (int) Math.rint(Math.sqrt(targetArea / aspectRatio));
            if (w > 0 && w <= width && h > 0 && h <= height) {
                int top = random.nextInt(height - h + 1);
                int left = random.nextInt(width - w + 1);
                return new CropBox(left, top, w, h);
            }
        }
        double inRatio = (double) width / height;
        int w;
        int h;
        if (inRatio < MIN_RATIO) {
            w = width;
            h = (int) Math.rint(w / MIN_RATIO);
        } else if (inRatio > MAX_RATIO) {
            h = height;
            w = (int) Math.rint(h * MAX_RATIO);
        } else {
            w = width;
            h = height;
        }
        return new CropBox((width - w) / 2, (height - h) / 2, w, h);
    }

    private static double uniform(SplittableRandom random, double from, double to) {
        return from + (to - from) * random.nextDouble();
    }
}
