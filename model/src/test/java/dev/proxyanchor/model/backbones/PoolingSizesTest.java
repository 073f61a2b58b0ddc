package dev.proxyanchor.model.backbones;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** PyTorch's pooled sizes, ceil_mode included (values from torch.nn.functional.max_pool2d). */
class PoolingSizesTest {

    @Test
    void ceilModeAsPyTorch() {
        assertEquals(56, Layers.pooledSize(112, 3, 2, 0, true)); // BN-Inception pool1: floor would give 55
        assertEquals(28, Layers.pooledSize(56, 3, 2, 0, true));
        assertEquals(14, Layers.pooledSize(28, 3, 2, 0, true));
        assertEquals(7, Layers.pooledSize(14, 3, 2, 0, true));
        assertEquals(7, Layers.pooledSize(7, 3, 1, 1, true));
        assertEquals(56, Layers.pooledSize(112, 3, 2, 1, false)); // ResNet maxpool
        assertEquals(7, Layers.pooledSize(14, 2, 2, 0, true)); // GoogLeNet maxpool4
        assertEquals(28, Layers.pooledSize(28, 3, 1, 1, true)); // GoogLeNet branch4.0
        assertEquals(8, Layers.pooledSize(15, 2, 2, 0, true)); // ceil_mode keeps the half window: floor gives 7
        // The last window must start inside the input or the left padding: 5 -> 3, not 4, for k=2, s=2, p=1.
        assertEquals(3, Layers.pooledSize(5, 2, 2, 1, true));
        assertEquals(3, Layers.pooledSize(4, 2, 2, 1, true));
    }
}
