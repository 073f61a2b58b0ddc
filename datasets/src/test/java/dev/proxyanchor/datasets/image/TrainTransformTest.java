package dev.proxyanchor.datasets.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TrainTransformTest {

    private final TrainTransform transform = new TrainTransform(TestNormalizations.IMAGENET, 224);

    private float[] apply(RgbImage image, SplittableRandom random) {
        float[] out = new float[transform.size()];
        transform.apply(image, random, out, 0);
        return out;
    }

    @Test
    void outputIsThreeBy224By224() {
        assertEquals(3, transform.channels());
        assertEquals(224, transform.height());
        assertEquals(224, transform.width());
        assertEquals(3 * 224 * 224, transform.size());
    }

    @Test
    void theSeedAloneDecidesTheCropAndFlip() {
        RgbImage image = ImageTransformsTestSupport.randomImage(120, 90, 1);
        float[] first = apply(image, new SplittableRandom(42));
        assertArrayEquals(first, apply(image, new SplittableRandom(42)));
        assertFalse(Arrays.equals(first, apply(image, new SplittableRandom(43))), "another seed");
    }

    @Test
    void aboutHalfTheImagesAreMirrored() {
        RgbImage ramp = ImageTransformsTestSupport.horizontalRamp(64, 48);
        int draws = 1000;
        int mirrored = 0;
        for (int i = 0; i < draws; i++) {
            float[] out = apply(ramp, new SplittableRandom(i));
            int middleRow = 112 * 224;
            if (out[middleRow] > out[middleRow + 223]) {
                mirrored++;
            }
        }
        double rate = (double) mirrored / draws;
        assertTrue(Math.abs(rate - 0.5) < 0.06, "mirrored share " + rate);
    }
}
