package dev.proxyanchor.model.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.config.DL4JSystemProperties;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link IndexedMaxPooling} against DL4J's built-in max pooling: same output and input gradient for tiling windows
 * (including inputs whose last rows and columns no window covers) and for overlapping ones (BN-Inception's and
 * ResNet's 3x3 stride-2 pools, where a position collects the gradient of every window it wins).
 */
class IndexedMaxPoolingTest {

    @ParameterizedTest
    @CsvSource({"3, 2, 8, 8, 2, 2", "2, 3, 7, 9, 2, 2", "2, 2, 9, 10, 3, 3", "2, 2, 9, 9, 3, 2", "1, 3, 14, 13, 3, 2",
            "2, 2, 6, 6, 3, 1", "2, 3, 28, 28, 2, 2", "1, 2, 13, 35, 2, 2"})
    void matchesDl4jsMaxPooling(int n, int c, int h, int w, int kernel, int stride) {
        Nd4j.getRandom().setSeed(21);
        SubsamplingLayer.Builder conf = new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX)
                .kernelSize(kernel, kernel).stride(stride, stride);
        Layer ours = layer(IndexedMaxPooling.of(conf));
        Layer reference = layer(conf.build());
        INDArray x = Nd4j.randn(DataType.FLOAT, n, c, h, w);

        INDArray expected = activate(reference, x);
        INDArray actual = activate(ours, x);
        assertEquals(0, expected.sub(actual).amaxNumber().doubleValue(), "output");

        INDArray dy = Nd4j.randn(DataType.FLOAT, expected.shape());
        INDArray expectedDx = reference.backpropGradient(dy.dup(), LayerWorkspaceMgr.noWorkspaces()).getSecond();
        INDArray actualDx = ours.backpropGradient(dy.dup(), LayerWorkspaceMgr.noWorkspaces()).getSecond();
        assertEquals(0, expectedDx.sub(actualDx).amaxNumber().doubleValue(), 1e-6, "input gradient");
    }

    /**
     * Zero margins against DL4J's zero padding layer followed by the same unpadded pool, on non-negative maps (where
     * the backbones use them): the kernels' float32 path and DL4J's own path (float64) alike. The margins are those of
     * ResNet's padded pool (1 all round) and of {@code ceil_mode} pools (extra bottom/right rows), asymmetric ones too.
     */
    @ParameterizedTest
    @CsvSource({"FLOAT, 2, 3, 14, 14, 3, 2, 1, 1, 1, 1", "FLOAT, 2, 2, 13, 13, 3, 2, 0, 1, 0, 1",
            "FLOAT, 1, 3, 9, 11, 3, 2, 1, 2, 0, 1", "FLOAT, 2, 2, 8, 8, 2, 2, 0, 1, 1, 0",
            "FLOAT, 1, 2, 7, 40, 3, 1, 1, 1, 1, 1", "DOUBLE, 2, 3, 13, 13, 3, 2, 0, 1, 0, 1",
            "DOUBLE, 1, 2, 9, 11, 3, 2, 1, 2, 0, 1"})
    void zeroMarginsMatchAPaddingLayerBeforeThePool(DataType type, int n, int c, int h, int w, int kernel, int stride,
            int top, int bottom, int left, int right) {
        Nd4j.getRandom().setSeed(5);
        SubsamplingLayer.Builder conf = new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX)
                .kernelSize(kernel, kernel).stride(stride, stride);
        Layer ours = layer(IndexedMaxPooling.of(conf).withZeroMargins(top, bottom, left, right), type);
        Layer pad = layer(new ZeroPaddingLayer.Builder(top, bottom, left, right).build(), type);
        Layer pool = layer(conf.build(), type);
        INDArray x = Nd4j.rand(type, n, c, h, w);
        x.slice(0).slice(0).getRow(0).assign(0);

        INDArray padded = activate(pad, x);
        INDArray expected = activate(pool, padded);
        INDArray actual = activate(ours, x);
        assertArrayEquals(expected.shape(), actual.shape(), "output shape");
        assertEquals(0, expected.sub(actual).amaxNumber().doubleValue(), "output");

        INDArray dy = Nd4j.rand(type, expected.shape());
        INDArray dPadded = pool.backpropGradient(dy.dup(), LayerWorkspaceMgr.noWorkspaces()).getSecond();
        INDArray expectedDx = pad.backpropGradient(dPadded, LayerWorkspaceMgr.noWorkspaces()).getSecond();
        INDArray actualDx = ours.backpropGradient(dy.dup(), LayerWorkspaceMgr.noWorkspaces()).getSecond();
        assertArrayEquals(x.shape(), actualDx.shape(), "input gradient shape");
        assertEquals(0, expectedDx.sub(actualDx).amaxNumber().doubleValue(), 1e-6, "input gradient");
    }

    @Test
    void zeroMarginsSurviveJsonAndSetTheOutputSize() {
        IndexedMaxPooling pool = IndexedMaxPooling.of(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX)
                .kernelSize(3, 3).stride(2, 2)).withZeroMargins(0, 1, 0, 1);
        NeuralNetConfiguration c = new NeuralNetConfiguration.Builder().layer(pool).build();
        NeuralNetConfiguration back = NeuralNetConfiguration.fromJson(c.toJson());
        assertEquals(pool, back.getLayer());
        assertArrayEquals(new int[] {0, 1, 0, 1}, ((IndexedMaxPooling) back.getLayer()).getZeroMargins());
        // BN-Inception's first pool: 112 -> 56 with ceil_mode (one extra row and column).
        assertEquals(InputType.convolutional(56, 56, 64),
                pool.getOutputType(0, InputType.convolutional(112, 112, 64)));
        IllegalArgumentException wrong = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> pool.setZeroMargins(new int[] {0, 1, 1}));
        assertTrue(wrong.getMessage().contains("4 numbers"), wrong.getMessage());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> pool.setZeroMargins(new int[] {0, -1, 0, 1}));
    }

    /** PyTorch's rule: scanning row by row, a value takes over when larger or NaN (so the last NaN wins). */
    @Test
    void firstMaximumWinsAndTheLastNaNWins() {
        Layer pool = layer(IndexedMaxPooling.of(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX)
                .kernelSize(2, 2).stride(2, 2)));
        INDArray x = Nd4j.createFromArray(new float[] {1, 3, 3, Float.NaN, Float.NaN, 2, 2, 3, 0, 1, Float.NaN, 0})
                .reshape(1, 1, 2, 6);
        INDArray y = activate(pool, x);
        assertEquals(3f, y.getFloat(0));
        assertTrue(Float.isNaN(y.getFloat(1)), "NaN wins its window");
        assertTrue(Float.isNaN(y.getFloat(2)), "NaN wins its window");
        INDArray dx = pool.backpropGradient(Nd4j.createFromArray(new float[] {5, 7, 9}).reshape(1, 1, 1, 3),
                LayerWorkspaceMgr.noWorkspaces()).getSecond();
        assertEquals(Nd4j.createFromArray(new float[] {0, 5, 0, 7, 0, 0, 0, 0, 0, 0, 9, 0}).reshape(1, 1, 2, 6), dx);
    }

    private static INDArray activate(Layer layer, INDArray x) {
        layer.setInput(x, LayerWorkspaceMgr.noWorkspaces());
        return layer.activate(true, LayerWorkspaceMgr.noWorkspaces()).dup();
    }

    private static Layer layer(org.deeplearning4j.nn.conf.layers.Layer conf) {
        return layer(conf, DataType.FLOAT);
    }

    /** A layer built with DL4J's helpers off, so the reference is DL4J's own code. */
    private static Layer layer(org.deeplearning4j.nn.conf.layers.Layer conf, DataType type) {
        String key = DL4JSystemProperties.DISABLE_HELPER_PROPERTY;
        String previous = System.getProperty(key);
        System.setProperty(key, "true");
        try {
            NeuralNetConfiguration c = new NeuralNetConfiguration.Builder().dataType(type).layer(conf).build();
            return c.getLayer().instantiate(c, null, 0, null, true, type);
        } finally {
            if (previous == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, previous);
            }
        }
    }
}
