package dev.proxyanchor.datasets.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxyanchor.datasets.Role;
import dev.proxyanchor.datasets.Sample;
import dev.proxyanchor.datasets.SampleRandom;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TrainTransformTest {

    private final TrainTransform transform = new TrainTransform(Normalization.IMAGENET_RGB);

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
    void sameSeedEpochAndSampleGiveTheSameCrop() {
        RgbImage image = ImageTransformsTestSupport.randomImage(120, 90, 1);
        Sample sample = new Sample("hdfs://nn/cub/a.jpg", 3, Role.TRAIN);
        float[] first = apply(image, SampleRandom.of(42, 3, sample));
        assertArrayEquals(first, apply(image, SampleRandom.of(42, 3, sample)));
        assertFalse(Arrays.equals(first, apply(image, SampleRandom.of(42, 4, sample))), "another epoch");
        assertFalse(Arrays.equals(first, apply(image, SampleRandom.of(43, 3, sample))), "another seed");
        Sample other = new Sample("hdfs://nn/cub/b.jpg", 3, Role.TRAIN);
        assertFalse(Arrays.equals(first, apply(image, SampleRandom.of(42, 3, other))), "another sample");
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
