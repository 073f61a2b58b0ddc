package dev.proxyanchor.model.layers;

import dev.proxyanchor.model.kernels.BoxAverageKernels;
import dev.proxyanchor.model.runtime.ContiguousFloats;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DL4J's subsampling layer running {@link BoxAvgPooling}'s same-size average pool as a box filter in both passes (the
 * pool is its own adjoint): {@link BoxAverageKernels} on float32 host arrays, ND4J's {@code avgpool2d} otherwise
 * (float64, GPU). DL4J's own backward pass is not used: with the padding counted in the divisor, M2.1's
 * {@code avgpool2d_bp} returns a gradient that differs from the pool's near the borders (by up to half the largest
 * value in BoxAvgPoolingTest's float64 cases).
 */
public class BoxAvgPoolingImpl extends SubsamplingLayer {

    public BoxAvgPoolingImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, input.dataType(), input.shape(), 'c');
        boxAverage(input, out);
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        INDArray dx = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, input.dataType(), input.shape(), 'c');
        boxAverage(epsilon.castTo(input.dataType()), dx);
        return new Pair<>(new DefaultGradient(), dx);
    }

    /** out = the pool of {@code x} (both NCHW, same shape). */
    private void boxAverage(INDArray x, INDArray out) {
        int k = layerConf().getKernelSize()[0];
        if (x.dataType() == DataType.FLOAT && ContiguousFloats.all(out)) {
            BoxAverageKernels.filter(ContiguousFloats.all(x) ? x : x.dup('c'), k, out);
            return;
        }
        int p = k / 2;
        // kernel, stride, padding, dilation, not "Same" mode, padding counted in the divisor, NCHW
        Nd4j.exec(DynamicCustomOp.builder("avgpool2d").addInputs(x).addOutputs(out)
                .addIntegerArguments(k, k, 1, 1, p, p, 1, 1, 0, 1, 0).build());
    }
}
