package dev.proxyanchor.model.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link IndexedMaxPoolKernels}' SIMD paths against its scalar ones. */
class IndexedMaxPoolKernelsTest {

    /** The SIMD 2x2 forward pass against the scalar one, on ties and (several) NaNs, for row widths across lane boundaries. */
    @Test
    void vectorTilesMatchTheScalarPassOnTiesAndNaNs() {
        assertTrue(IndexedMaxPoolKernels.VECTORIZED, "the tests run with the Vector API module");
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        for (int w = 2; w <= 70; w++) {
            for (int h : new int[] {2, 3, 6}) {
                int outH = h / 2;
                int outW = w / 2;
                float[] plane = new float[h * w + MaxPoolVectorTiles.PADDING];
                for (int i = 0; i < h * w; i++) {
                    // Few distinct values make ties common; some NaNs, sometimes two in a window.
                    plane[i] = random.nextInt(12) == 0 ? Float.NaN : random.nextInt(4) - 1.5f;
                }
                float[] expected = new float[outH * outW];
                byte[] expectedWinners = new byte[outH * outW];
                IndexedMaxPoolKernels.pool2x2(plane, w, outH, outW, expected, expectedWinners, 0);
                float[] actual = new float[outH * outW + MaxPoolVectorTiles.PADDING];
                byte[] actualWinners = new byte[outH * outW];
                MaxPoolVectorTiles.pool2x2(plane, w, outH, outW, actual,
                        new float[outH * outW + MaxPoolVectorTiles.PADDING], actualWinners);
                String where = h + " x " + w;
                assertEquals(java.util.Arrays.toString(expected),
                        java.util.Arrays.toString(java.util.Arrays.copyOf(actual, outH * outW)), where);
                assertEquals(java.util.Arrays.toString(expectedWinners), java.util.Arrays.toString(actualWinners),
                        where);
            }
        }
    }

    /**
     * The SIMD pass for other windows against the scalar one: overlapping and gapped windows, non-square ones, on
     * ties and (several) NaNs, for output widths across lane boundaries.
     */
    @Test
    void vectorWindowsMatchTheScalarPassOnTiesAndNaNs() {
        assertTrue(IndexedMaxPoolKernels.VECTORIZED, "the tests run with the Vector API module");
        java.util.SplittableRandom random = new java.util.SplittableRandom(4);
        int[][] windows = {{3, 3, 2, 2}, {3, 3, 1, 1}, {2, 3, 1, 2}, {3, 2, 2, 1}, {5, 5, 3, 3}, {2, 2, 1, 1},
            {1, 3, 1, 3}};
        for (int[] k : windows) {
            IndexedMaxPoolKernels.Window win = new IndexedMaxPoolKernels.Window(k[0], k[1], k[2], k[3]);
            for (int w = k[1]; w <= 60; w++) {
                for (int h : new int[] {k[0], k[0] + 1, 9}) {
                    int outH = (h - k[0]) / k[2] + 1;
                    int outW = (w - k[1]) / k[3] + 1;
                    float[] plane = new float[h * w];
                    for (int i = 0; i < h * w; i++) {
                        plane[i] = random.nextInt(12) == 0 ? Float.NaN : random.nextInt(4) - 1.5f;
                    }
                    float[] expected = new float[outH * outW];
                    byte[] expectedWinners = new byte[outH * outW + 3];
                    IndexedMaxPoolKernels.pool(plane, w, win, outH, outW, expected, expectedWinners, 3);
                    float[] actual = new float[outH * outW + MaxPoolVectorWindows.PADDING];
                    byte[] actualWinners = new byte[outH * outW + 3];
                    MaxPoolVectorWindows.pool(plane, w, win, outH, outW, actual, actualWinners, 3);
                    String where = java.util.Arrays.toString(k) + " on " + h + " x " + w;
                    assertEquals(java.util.Arrays.toString(expected),
                            java.util.Arrays.toString(java.util.Arrays.copyOf(actual, outH * outW)), where);
                    assertEquals(java.util.Arrays.toString(expectedWinners), java.util.Arrays.toString(actualWinners),
                            where);
                }
            }
        }
    }
}
