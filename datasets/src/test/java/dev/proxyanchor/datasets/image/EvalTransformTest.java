package dev.proxyanchor.datasets.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class EvalTransformTest {

    @Test
    void a256SquareKeepsItsCentral224PixelsExactly() {
        RgbImage image = ImageTransformsTestSupport.randomImage(256, 256, 9);
        float[] out = new float[3 * 224 * 224];
        new EvalTransform(TestNormalizations.BN_INCEPTION, 256, 224).apply(image, new SplittableRandom(0), out, 0);
        for (int y = 0; y < 224; y += 17) {
            for (int x = 0; x < 224; x += 13) {
                int pixel = image.pixels()[(y + 16) * 256 + x + 16];
                assertEquals((pixel & 0xFF) - 104, out[y * 224 + x], 1e-4, "blue at " + x + "," + y);
                assertEquals((pixel >>> 16 & 0xFF) - 128, out[2 * 224 * 224 + y * 224 + x], 1e-4, "red");
            }
        }
    }

    @Test
    void shorterSideGoesTo256AndTheCropIsCentredAsTorchvisionRoundsIt() {
        // 600x400 -> 384x256; the crop starts at column round(80) = 80, row 16.
        assertEquals(new CropBox(80, 16, 224, 224), CropBox.centered(384, 256, 224, 224));
        // 341 wide: (341 - 224) / 2 = 58.5 rounds half to even, to 58.
        assertEquals(new CropBox(58, 16, 224, 224), CropBox.centered(341, 256, 224, 224));
    }

    @Test
    void resizingAConstantImageKeepsItConstant() {
        int[] pixels = new int[500 * 333];
        java.util.Arrays.fill(pixels, 0x336699);
        RgbPlanes planes = Resampler.resize(new RgbImage(500, 333, pixels), new CropBox(0, 0, 500, 333), 384, 256);
        for (int i = 0; i < planes.red().length; i += 101) {
            assertEquals(0x33, planes.red()[i]);
            assertEquals(0x99, planes.blue()[i]);
        }
    }

    @Test
    void halvingAveragesPairsOfPixelsLikePil() {
        int[] pixels = {0, 100 << 16, 200 << 16, 255 << 16};
        RgbPlanes planes = Resampler.resize(new RgbImage(4, 1, pixels), new CropBox(0, 0, 4, 1), 2, 1);
        // PIL's coefficients at scale 2: output 0 reads pixels 0..2 with weights (0.75, 0.75, 0.25) / 1.75,
        // output 1 reads pixels 1..3 with (0.25, 0.75, 0.75) / 1.75.
        assertEquals(71, planes.red()[0]);
        assertEquals(209, planes.red()[1]);
    }
}
