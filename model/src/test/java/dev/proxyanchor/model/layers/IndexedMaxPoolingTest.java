package dev.proxyanchor.model.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.config.DL4JSystemProperties;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
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

    /** A layer built with DL4J's helpers off, so the reference is DL4J's own code. */
    private static Layer layer(org.deeplearning4j.nn.conf.layers.Layer conf) {
        String key = DL4JSystemProperties.DISABLE_HELPER_PROPERTY;
        String previous = System.getProperty(key);
        System.setProperty(key, "true");
        try {
            NeuralNetConfiguration c = new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT).layer(conf).build();
            return c.getLayer().instantiate(c, null, 0, null, true, DataType.FLOAT);
        } finally {
            if (previous == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, previous);
            }
        }
    }
}
