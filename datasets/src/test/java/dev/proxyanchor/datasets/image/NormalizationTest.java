package dev.proxyanchor.datasets.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NormalizationTest {

    private static RgbImage solid(int rgb, int width, int height) {
        int[] pixels = new int[width * height];
        Arrays.fill(pixels, rgb);
        return new RgbImage(width, height, pixels);
    }

    /** The first value of each channel plane. */
    private static float[] channelValues(ImageTransform transform, RgbImage image) {
        float[] out = new float[transform.size()];
        transform.apply(image, new SplittableRandom(1), out, 0);
        int plane = transform.height() * transform.width();
        float[] values = new float[transform.channels()];
        for (int c = 0; c < values.length; c++) {
            values[c] = out[c * plane + plane / 2];
        }
        return values;
    }

    @Test
    void bnInceptionTakesBgrIn0To255MinusCaffeMeans() {
        RgbImage red = solid(0xFF0000, 300, 260);
        float[] expected = {0 - 104, 0 - 117, 255 - 128};
        Normalization caffe = TestNormalizations.BN_INCEPTION;
        assertArrayEquals(expected, channelValues(TestNormalizations.evaluation(caffe), red), 1e-4f);
        assertArrayEquals(expected, channelValues(TestNormalizations.training(caffe), red), 1e-4f);
    }

    @Test
    void resnetTakesRgbIn0To1WithImagenetMeanAndStd() {
        RgbImage red = solid(0xFF0000, 300, 260);
        float[] expected = {(1 - 0.485f) / 0.229f, (0 - 0.456f) / 0.224f, (0 - 0.406f) / 0.225f};
        assertArrayEquals(expected, channelValues(TestNormalizations.evaluation(TestNormalizations.IMAGENET), red),
                1e-4f);
    }

    @Test
    void smallCnnTakesOneGreyChannelIn0To1() {
        RgbImage grey = solid(0x666666, 28, 28);
        ImageTransform transform = ImageTransforms.training(TestNormalizations.GREY_UNIT, 28, false);
        assertEquals(1, transform.channels());
        assertArrayEquals(new float[] {0x66 / 255f}, channelValues(transform, grey), 1e-6f);
    }

    @Test
    void inconsistentNumbersAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Normalization(Normalization.Channels.RGB, 1,
                new double[] {0}, new double[] {1}));
    }

    @Test
    void resnetValuesStayInTheNormalisedRangeOfEveryPixel() {
        RgbImage image = ImageTransformsTestSupport.randomImage(97, 131, 5);
        float[] out = new float[3 * 224 * 224];
        TestNormalizations.training(TestNormalizations.IMAGENET).apply(image, new SplittableRandom(2), out, 0);
        float[] min = {-0.485f / 0.229f, -0.456f / 0.224f, -0.406f / 0.225f};
        float[] max = {(1 - 0.485f) / 0.229f, (1 - 0.456f) / 0.224f, (1 - 0.406f) / 0.225f};
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < 224 * 224; i++) {
                float v = out[c * 224 * 224 + i];
                assertTrue(v >= min[c] - 1e-5 && v <= max[c] + 1e-5, "channel " + c + " value " + v);
            }
        }
    }
}
