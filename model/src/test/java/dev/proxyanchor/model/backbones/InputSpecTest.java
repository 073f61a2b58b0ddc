package dev.proxyanchor.model.backbones;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.junit.jupiter.api.Test;

class InputSpecTest {

    @Test
    void torchvisionImageNetIsWhatToTensorAndNormalizeCompute() {
        InputSpec spec = InputSpec.TORCHVISION_IMAGENET;
        // torchvision: (v / 255 - 0.485) / 0.229 for the red channel.
        for (int v : new int[] {0, 77, 255}) {
            assertEquals((v / 255.0 - 0.485) / 0.229, v * spec.multiplier(0) + spec.offset(0), 1e-12);
            assertEquals((v / 255.0 - 0.406) / 0.225, v * spec.multiplier(2) + spec.offset(2), 1e-12);
        }
        assertEquals(3, spec.channels().count());
        assertEquals(224, spec.size());
        assertEquals(256, spec.evalResize());
    }

    @Test
    void builderDefaultsAreUnitRangeWithoutAugmentation() {
        InputSpec grey = InputSpec.builder(InputSpec.Channels.GREY, 28).build();
        assertEquals(1.0 / 255, grey.multiplier(0), 1e-15);
        assertEquals(0.0, grey.offset(0), 0.0);
        assertEquals(0, grey.evalResize());
        assertEquals(InputSpec.Augmentation.NONE, grey.augmentation());
    }

    @Test
    void inconsistentNumbersAreRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> InputSpec.builder(InputSpec.Channels.RGB, 224).mean(0.5).build());
        assertThrows(IllegalArgumentException.class,
                () -> InputSpec.builder(InputSpec.Channels.GREY, 28).std(0).build());
        assertThrows(IllegalArgumentException.class,
                () -> InputSpec.builder(InputSpec.Channels.GREY, 224).evalResize(200).build());
        assertThrows(IllegalArgumentException.class, () -> InputSpec.builder(InputSpec.Channels.GREY, 0).build());
    }

    @Test
    void survivesJavaSerialisationAsSparkShipsIt() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(InputSpec.TORCHVISION_IMAGENET);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertEquals(InputSpec.TORCHVISION_IMAGENET, in.readObject());
        }
    }
}
