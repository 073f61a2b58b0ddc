package dev.proxyanchor.model.layers;

import java.util.Arrays;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's subsampling layer with max pooling over tiling windows done by {@link TiledMaxPoolKernels}: the forward
 * pass keeps each window's winner so the backward pass is one sweep. DL4J's own path (ND4J's {@code maxpool2d} and,
 * through its oneDNN helper, a {@code maxpool2d_bp} that pools again) runs for anything else.
 */
public class TiledMaxPoolingImpl extends SubsamplingLayer {

    /** Winners of the last forward pass through the kernels and the input shape it had; null after DL4J's path. */
    private byte[] winners;
    private long[] winnersInputShape;

    public TiledMaxPoolingImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        if (!tiles() || !ContiguousFloats.all(input)) {
            winnersInputShape = null;
            return super.activate(training, workspaceMgr);
        }
        int[] k = layerConf().getKernelSize();
        long[] outShape = {input.size(0), input.size(1), input.size(2) / k[0], input.size(3) / k[1]};
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT, outShape, 'c');
        winners = TiledMaxPoolKernels.winnersFor(winners, out.length());
        TiledMaxPoolKernels.forward(input, k[0], k[1], out, winners);
        winnersInputShape = input.shape();
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        if (winnersInputShape == null || !Arrays.equals(winnersInputShape, input.shape())) {
            return super.backpropGradient(epsilon, workspaceMgr);
        }
        INDArray dy = ContiguousFloats.all(epsilon) ? epsilon : epsilon.castTo(DataType.FLOAT).dup('c');
        int[] k = layerConf().getKernelSize();
        INDArray dx = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, DataType.FLOAT, input.shape(), 'c');
        TiledMaxPoolKernels.backward(dy, winners, k[0], k[1], dx);
        return new Pair<>(new DefaultGradient(), dx);
    }

    /** Max pooling whose windows tile the input: kernel == stride, no padding or dilation, truncating, NCHW. */
    private boolean tiles() {
        org.deeplearning4j.nn.conf.layers.SubsamplingLayer c = layerConf();
        int[] k = c.getKernelSize();
        return c.getPoolingType() == PoolingType.MAX && input.rank() == 4
                && c.getCnn2dDataFormat() == CNN2DFormat.NCHW && convolutionMode == ConvolutionMode.Truncate
                && Arrays.equals(k, c.getStride()) && Arrays.equals(c.getPadding(), new int[] {0, 0})
                && Arrays.equals(c.getDilation(), new int[] {1, 1}) && TiledMaxPoolKernels.fits(k[0], k[1])
                && input.size(2) >= k[0] && input.size(3) >= k[1];
    }
}
