package dev.proxyanchor.spark.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.proxyanchor.datasets.image.ImageTransform;
import dev.proxyanchor.datasets.image.RgbImage;
import dev.proxyanchor.model.backbones.Backbones;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Every backbone's input spec becomes the transforms the official code applies for that backbone. */
class InputTransformsTest {

    static List<String> backbones() {
        return Backbones.names().stream().sorted().toList();
    }

    /** A solid image: the value at the centre of each channel plane after the transform. */
    private static float[] centreValues(ImageTransform transform, int rgb) {
        int[] pixels = new int[300 * 260];
        Arrays.fill(pixels, rgb);
        float[] out = new float[transform.size()];
        transform.apply(new RgbImage(300, 260, pixels), new SplittableRandom(1), out, 0);
        int plane = transform.height() * transform.width();
        float[] values = new float[transform.channels()];
        for (int c = 0; c < values.length; c++) {
            values[c] = out[c * plane + plane / 2];
        }
        return values;
    }

    @ParameterizedTest
    @MethodSource("backbones")
    void transformsHaveTheBackbonesInputShape(String name) {
        var spec = Backbones.create(name).inputSpec();
        for (ImageTransform t : List.of(InputTransforms.training(spec), InputTransforms.evaluation(spec))) {
            assertEquals(spec.channels().count(), t.channels(), name);
            assertEquals(spec.size(), t.height(), name);
            assertEquals(spec.size(), t.width(), name);
        }
    }

    @Test
    void bnInceptionReadsBgrIn0To255MinusCaffeMeans() {
        var spec = Backbones.create("bn_inception").inputSpec();
        float[] expected = {0 - 104, 0 - 117, 255 - 128};
        assertArrayEquals(expected, centreValues(InputTransforms.evaluation(spec), 0xFF0000), 1e-4f);
        assertArrayEquals(expected, centreValues(InputTransforms.training(spec), 0xFF0000), 1e-4f);
    }

    @Test
    void torchvisionBackbonesReadRgbIn0To1WithImageNetMeanAndStd() {
        float[] expected = {(1 - 0.485f) / 0.229f, (0 - 0.456f) / 0.224f, (0 - 0.406f) / 0.225f};
        for (String name : List.of("resnet50", "googlenet")) {
            var spec = Backbones.create(name).inputSpec();
            assertArrayEquals(expected, centreValues(InputTransforms.evaluation(spec), 0xFF0000), 1e-4f, name);
        }
    }

    @Test
    void smallCnnReadsOneGreyChannelIn0To1() {
        var spec = Backbones.create("small_cnn").inputSpec();
        assertArrayEquals(new float[] {0x66 / 255f}, centreValues(InputTransforms.training(spec), 0x666666), 1e-6f);
    }
}
