package dev.proxyanchor.datasets.image;

import java.util.Arrays;

/**
 * Bilinear resizing as PIL does it for torchvision's {@code Resize} and {@code RandomResizedCrop} on PIL images: a
 * separable triangle filter whose support widens with the scale factor when shrinking (so downscaling averages
 * rather than skips pixels), horizontal pass first, each pass rounded to 8 bits.
 */
public final class Resampler {

    private Resampler() {}

    /** The {@code box} of {@code image} resized to {@code outWidth x outHeight}. */
    public static RgbPlanes resize(RgbImage image, CropBox box, int outWidth, int outHeight) {
        Coefficients horizontal = Coefficients.of(box.width(), outWidth);
        Coefficients vertical = Coefficients.of(box.height(), outHeight);
        int[] pixels = image.pixels();

        // Horizontal pass over the box's rows: one intermediate row per source row, a plane per channel, so that the
        // vertical pass reads contiguous floats.
        RgbPlanes rows = RgbPlanes.allocate(outWidth, box.height());
        for (int y = 0; y < box.height(); y++) {
            int rowStart = (box.top() + y) * image.width() + box.left();
            for (int x = 0; x < outWidth; x++) {
                float r = 0;
                float g = 0;
                float b = 0;
                int first = rowStart + horizontal.first[x];
                float[] weights = horizontal.weights[x];
                for (int k = 0; k < weights.length; k++) {
                    int p = pixels[first + k];
                    r += weights[k] * (p >>> 16 & 0xFF);
                    g += weights[k] * (p >>> 8 & 0xFF);
                    b += weights[k] * (p & 0xFF);
                }
                int i = y * outWidth + x;
                rows.red()[i] = to8Bits(r);
                rows.green()[i] = to8Bits(g);
                rows.blue()[i] = to8Bits(b);
            }
        }

        RgbPlanes out = RgbPlanes.allocate(outWidth, outHeight);
        float[] sums = new float[outWidth];
        vertical(rows.red(), out.red(), vertical, sums);
        vertical(rows.green(), out.green(), vertical, sums);
        vertical(rows.blue(), out.blue(), vertical, sums);
        return out;
    }

    /**
     * The vertical pass of one channel, a whole output row at a time: each tap adds a weighted source row to the row's
     * sums, a loop the JIT turns into SIMD. Each sum still adds its taps in order, so the result is the same as
     * summing pixel by pixel.
     */
    private static void vertical(float[] rows, float[] out, Coefficients vertical, float[] sums) {
        int width = sums.length;
        for (int y = 0; y < vertical.first.length; y++) {
            Arrays.fill(sums, 0f);
            float[] weights = vertical.weights[y];
            for (int k = 0; k < weights.length; k++) {
                float weight = weights[k];
                int row = (vertical.first[y] + k) * width;
                for (int x = 0; x < width; x++) {
                    sums[x] += weight * rows[row + x];
                }
            }
            int target = y * width;
            for (int x = 0; x < width; x++) {
                out[target + x] = to8Bits(sums[x]);
            }
        }
    }

    private static int to8Bits(float value) {
        return Math.max(0, Math.min(255, (int) (value + 0.5f)));
    }

    /** PIL's {@code precompute_coeffs}: for each output pixel, the first input pixel and the filter weights. */
    private record Coefficients(int[] first, float[][] weights) {

        static Coefficients of(int inSize, int outSize) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = filterScale;
            int[] first = new int[outSize];
            float[][] weights = new float[outSize][];
            for (int o = 0; o < outSize; o++) {
                double center = (o + 0.5) * scale;
                int min = Math.max(0, (int) (center - support + 0.5));
                int max = Math.min(inSize, (int) (center + support + 0.5));
                double[] w = new double[max - min];
                double sum = 0;
                for (int k = 0; k < w.length; k++) {
                    w[k] = triangle((k + min - center + 0.5) / filterScale);
                    sum += w[k];
                }
                float[] normalised = new float[w.length];
                for (int k = 0; k < w.length; k++) {
                    normalised[k] = (float) (sum == 0 ? 0 : w[k] / sum);
                }
                first[o] = min;
                weights[o] = normalised;
            }
            return new Coefficients(first, weights);
        }

        private static double triangle(double x) {
            double a = Math.abs(x);
            return a < 1 ? 1 - a : 0;
        }
    }
}
