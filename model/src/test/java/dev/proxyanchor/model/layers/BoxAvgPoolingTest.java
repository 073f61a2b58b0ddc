package dev.proxyanchor.model.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.config.DL4JSystemProperties;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
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
 * {@link BoxAvgPooling} against PyTorch's {@code count_include_pad} average pool as DL4J computes it from its own
 * layers in float64: explicit zero padding ({@link ZeroPaddingLayer}) then an unpadded average pool. Output and input
 * gradient agree in float32 (the box-filter kernels, within 1e-6 of the largest magnitude) and in float64 (DL4J's
 * padded pool with the padding counted, the path any other backend takes, to rounding).
 */
class BoxAvgPoolingTest {

    @ParameterizedTest
    @CsvSource({"FLOAT, 3, 2, 3, 7, 7, 3", "FLOAT, 2, 5, 28, 28, 3", "FLOAT, 1, 2, 9, 13, 5", "FLOAT, 2, 3, 1, 1, 3",
            "FLOAT, 1, 1, 2, 6, 1", "FLOAT, 1, 2, 3, 2, 5", "FLOAT, 2, 2, 14, 14, 3", "DOUBLE, 2, 3, 7, 6, 3", "DOUBLE, 1, 2, 9, 8, 5"})
    void matchesZeroPaddingThenAveraging(DataType type, int n, int c, int h, int w, int kernel) {
        Nd4j.getRandom().setSeed(5);
        INDArray x = Nd4j.randn(DataType.DOUBLE, n, c, h, w);
        INDArray dy = Nd4j.randn(DataType.DOUBLE, n, c, h, w);
        int p = kernel / 2;
        Layer pad = layer(new ZeroPaddingLayer.Builder(p, p, p, p).build(), DataType.DOUBLE, true);
        Layer average = layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.AVG).kernelSize(kernel, kernel)
                .stride(1, 1).convolutionMode(ConvolutionMode.Truncate).build(), DataType.DOUBLE, true);
        INDArray expected = activate(average, activate(pad, x));
        INDArray expectedDx = pad.backpropGradient(
                average.backpropGradient(dy.dup(), LayerWorkspaceMgr.noWorkspaces()).getSecond(),
                LayerWorkspaceMgr.noWorkspaces()).getSecond();

        Layer ours = layer(BoxAvgPooling.of(kernel), type, false);
        INDArray actual = activate(ours, x.castTo(type));
        INDArray actualDx = ours.backpropGradient(dy.castTo(type), LayerWorkspaceMgr.noWorkspaces()).getSecond();

        double tolerance = type == DataType.FLOAT ? 1e-6 : 1e-12;
        assertClose(expected, actual, tolerance, "output");
        assertClose(expectedDx, actualDx, tolerance, "input gradient");
    }

    @Test
    void survivesJson() {
        NeuralNetConfiguration conf = new NeuralNetConfiguration.Builder().layer(BoxAvgPooling.of(3)).build();
        NeuralNetConfiguration back = NeuralNetConfiguration.fromJson(conf.toJson());
        assertEquals(conf.getLayer(), back.getLayer());
        assertTrue(back.getLayer() instanceof BoxAvgPooling);
    }

    private static void assertClose(INDArray expected, INDArray actual, double tolerance, String what) {
        assertEquals(java.util.Arrays.toString(expected.shape()), java.util.Arrays.toString(actual.shape()), what);
        double scale = expected.amaxNumber().doubleValue();
        double diff = expected.sub(actual.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
        assertTrue(diff <= tolerance * scale, what + ": max |diff| " + diff + " vs max |value| " + scale);
    }

    private static INDArray activate(Layer layer, INDArray x) {
        layer.setInput(x, LayerWorkspaceMgr.noWorkspaces());
        return layer.activate(true, LayerWorkspaceMgr.noWorkspaces()).dup();
    }

    /** A layer built with DL4J's helpers on or off (off: the reference is DL4J's own code). */
    private static Layer layer(org.deeplearning4j.nn.conf.layers.Layer conf, DataType type, boolean helpersOff) {
        String key = DL4JSystemProperties.DISABLE_HELPER_PROPERTY;
        String previous = System.getProperty(key);
        System.setProperty(key, String.valueOf(helpersOff));
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
