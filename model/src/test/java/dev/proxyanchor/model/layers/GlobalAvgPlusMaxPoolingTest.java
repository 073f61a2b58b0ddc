package dev.proxyanchor.model.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link GlobalAvgPlusMaxPooling} against DL4J's global average and global max pooling layers summed, in float64:
 * output and input gradient, on the float32 kernels and on the float64 ND4J path, for contiguous input and a
 * channel slice.
 */
class GlobalAvgPlusMaxPoolingTest {

    @ParameterizedTest(name = "{0} x {1} x {2} x {3}, {4}, view {5}")
    @CsvSource({"3, 4, 7, 7, FLOAT, false", "2, 5, 3, 6, FLOAT, true", "2, 3, 1, 1, FLOAT, false",
            "3, 4, 7, 7, DOUBLE, false", "2, 5, 3, 6, DOUBLE, true"})
    void matchesDl4jsAveragePlusMaxPooling(int n, int c, int h, int w, DataType type, boolean view) {
        Nd4j.getRandom().setSeed(13);
        INDArray x = Nd4j.randn(DataType.DOUBLE, n, c, h, w);
        Layer avg = layer(new GlobalPoolingLayer(PoolingType.AVG), DataType.DOUBLE);
        Layer max = layer(new GlobalPoolingLayer(PoolingType.MAX), DataType.DOUBLE);
        Layer ours = layer(new GlobalAvgPlusMaxPooling(), type);

        INDArray expected = activate(avg, x).add(activate(max, x));
        INDArray input = view ? StridedViews.channelSlice(x.castTo(type)) : x.castTo(type);
        INDArray actual = activate(ours, input);
        assertClose(expected, actual, "output");

        INDArray dy = Nd4j.randn(DataType.DOUBLE, n, c);
        INDArray expectedDx = avg.backpropGradient(dy.dup(), LayerWorkspaceMgr.noWorkspaces()).getSecond()
                .add(max.backpropGradient(dy.dup(), LayerWorkspaceMgr.noWorkspaces()).getSecond());
        INDArray actualDx = ours.backpropGradient(dy.castTo(type), LayerWorkspaceMgr.noWorkspaces()).getSecond();
        assertClose(expectedDx, actualDx, "input gradient");
    }

    /** PyTorch's rule for the maximum's position: the first maximum, or the last NaN. */
    @Test
    void gradientGoesToTheFirstMaximumOrTheLastNaN() {
        Layer ours = layer(new GlobalAvgPlusMaxPooling(), DataType.FLOAT);
        INDArray x = Nd4j.createFromArray(new float[] {1, 4, 4, 2, Float.NaN, 0, Float.NaN, 3}).reshape(1, 2, 2, 2);
        INDArray y = activate(ours, x);
        assertEquals(11f / 4 + 4, y.getFloat(0), 1e-6);
        assertTrue(Float.isNaN(y.getFloat(1)));
        INDArray dx = ours.backpropGradient(Nd4j.createFromArray(new float[] {4, 8}).reshape(1, 2),
                LayerWorkspaceMgr.noWorkspaces()).getSecond();
        assertEquals(Nd4j.createFromArray(new float[] {1, 5, 1, 1, 2, 2, 10, 2}).reshape(1, 2, 2, 2), dx);
    }

    @Test
    void rejectsInputThatIsNotFeatureMaps() {
        Layer ours = layer(new GlobalAvgPlusMaxPooling(), DataType.FLOAT);
        ours.setInput(Nd4j.rand(DataType.FLOAT, 3, 4), LayerWorkspaceMgr.noWorkspaces());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ours.activate(true, LayerWorkspaceMgr.noWorkspaces()));
        assertTrue(e.getMessage().contains("[N, C, H, W]"), e.getMessage());
    }

    private static INDArray activate(Layer layer, INDArray x) {
        layer.setInput(x, LayerWorkspaceMgr.noWorkspaces());
        return layer.activate(true, LayerWorkspaceMgr.noWorkspaces()).dup();
    }

    private static Layer layer(org.deeplearning4j.nn.conf.layers.Layer conf, DataType type) {
        NeuralNetConfiguration c = new NeuralNetConfiguration.Builder().dataType(type).layer(conf).build();
        return c.getLayer().instantiate(c, null, 0, null, true, type);
    }

    private static void assertClose(INDArray expected, INDArray actual, String what) {
        assertEquals(expected.length(), actual.length(), what);
        double diff = expected.reshape(-1).sub(actual.dup().reshape(-1).castTo(DataType.DOUBLE)).amaxNumber()
                .doubleValue();
        assertTrue(diff <= 1e-5 * Math.max(1, expected.amaxNumber().doubleValue()), what + ": max |diff| " + diff);
    }
}
