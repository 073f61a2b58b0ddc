package dev.proxyanchor.model.layers;

import dev.proxyanchor.model.kernels.ReluKernels;
import dev.proxyanchor.model.runtime.ContiguousFloats;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.ActivationLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * ReLU over contiguous float32 arrays on the CPU backend in one sweep each way ({@link ReluKernels}), as PyTorch's
 * {@code relu} and {@code threshold_backward}: max(x, 0) forward (NaN stays NaN), the gradient where x > 0 backward.
 * Anything else (float64 gradient checks, GPU arrays, dropout) runs DL4J's activation layer.
 */
public class ReluImpl extends ActivationLayer {

    public ReluImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        if (layerConf().getIDropout() != null || !ContiguousFloats.all(input)) {
            return super.activate(training, workspaceMgr);
        }
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT, input.shape(), 'c');
        ReluKernels.forward(input, out);
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        if (layerConf().getIDropout() != null || !ContiguousFloats.all(input, epsilon)) {
            return super.backpropGradient(epsilon, workspaceMgr);
        }
        INDArray dx = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, DataType.FLOAT, input.shape(), 'c');
        ReluKernels.backward(input, epsilon, dx);
        return new Pair<>(new DefaultGradient(), dx);
    }
}
