package dev.proxyanchor.model.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** {@link Relu} against DL4J's ReLU activation layer, over sizes around the kernels' chunks and lanes. */
class ReluTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 15, 4096, 4097, 3 * 4096 + 17})
    void matchesDl4jsReluLayer(int length) {
        Nd4j.getRandom().setSeed(length);
        INDArray x = Nd4j.randn(DataType.FLOAT, 1, length);
        INDArray dy = Nd4j.randn(DataType.FLOAT, 1, length);
        Layer ours = layer(new Relu());
        Layer reference = layer(new ActivationLayer(Activation.RELU));

        assertEquals(activate(reference, x), activate(ours, x), "output");
        assertEquals(reference.backpropGradient(dy.dup(), LayerWorkspaceMgr.noWorkspaces()).getSecond(),
                ours.backpropGradient(dy.dup(), LayerWorkspaceMgr.noWorkspaces()).getSecond(), "input gradient");
    }

    /** As PyTorch: relu(NaN) is NaN and passes no gradient; zero passes none either. */
    @Test
    void nanStaysAndZeroAndNanPassNoGradient() {
        Layer ours = layer(new Relu());
        INDArray x = Nd4j.createFromArray(new float[] {Float.NaN, 0f, -1f, 2f}).reshape(1, 4);
        INDArray y = activate(ours, x);
        assertTrue(Float.isNaN(y.getFloat(0)));
        assertEquals(Nd4j.createFromArray(0f, 0f, 2f), y.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 4)).reshape(3));
        INDArray dx = ours.backpropGradient(Nd4j.createFromArray(new float[] {5, 6, 7, 8}).reshape(1, 4),
                LayerWorkspaceMgr.noWorkspaces()).getSecond();
        assertEquals(Nd4j.createFromArray(new float[] {0, 0, 0, 8}).reshape(1, 4), dx);
    }

    private static INDArray activate(Layer layer, INDArray x) {
        layer.setInput(x, LayerWorkspaceMgr.noWorkspaces());
        return layer.activate(true, LayerWorkspaceMgr.noWorkspaces()).dup();
    }

    private static Layer layer(org.deeplearning4j.nn.conf.layers.Layer conf) {
        NeuralNetConfiguration c = new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT).layer(conf).build();
        return c.getLayer().instantiate(c, null, 0, null, true, DataType.FLOAT);
    }
}
