package dev.proxyanchor.model.layers;

import dev.proxyanchor.model.kernels.IndexedMaxPoolKernels;
import dev.proxyanchor.model.runtime.ContiguousFloats;
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
 * DL4J's subsampling layer with unpadded max pooling done by {@link IndexedMaxPoolKernels}: the forward pass keeps
 * each window's winner so the backward pass is one sweep. DL4J's own path (ND4J's {@code maxpool2d} and, through
 * its oneDNN helper, a {@code maxpool2d_bp} that pools again) runs for anything else.
 */
public class IndexedMaxPoolingImpl extends SubsamplingLayer {

    /** Winners of the last forward pass through the kernels and the input shape it had; null after DL4J's path. */
    private byte[] winners;
    private long[] winnersInputShape;

    public IndexedMaxPoolingImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        IndexedMaxPoolKernels.Window window = window();
        if (window == null || !ContiguousFloats.all(input)) {
            winnersInputShape = null;
            return super.activate(training, workspaceMgr);
        }
        long[] outShape = {input.size(0), input.size(1), (input.size(2) - window.kH()) / window.sH() + 1,
                (input.size(3) - window.kW()) / window.sW() + 1};
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT, outShape, 'c');
        winners = IndexedMaxPoolKernels.winnersFor(winners, out.length());
        IndexedMaxPoolKernels.forward(input, window, out, winners);
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
        INDArray dx = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, DataType.FLOAT, input.shape(), 'c');
        IndexedMaxPoolKernels.backward(dy, winners, window(), dx);
        return new Pair<>(new DefaultGradient(), dx);
    }

    /** The window of an unpadded, undilated, truncating NCHW max pool that fits the input; else null. */
    private IndexedMaxPoolKernels.Window window() {
        org.deeplearning4j.nn.conf.layers.SubsamplingLayer c = layerConf();
        int[] k = c.getKernelSize();
        int[] s = c.getStride();
        IndexedMaxPoolKernels.Window window = new IndexedMaxPoolKernels.Window(k[0], k[1], s[0], s[1]);
        boolean supported = c.getPoolingType() == PoolingType.MAX && input.rank() == 4
                && c.getCnn2dDataFormat() == CNN2DFormat.NCHW && convolutionMode == ConvolutionMode.Truncate
                && Arrays.equals(c.getPadding(), new int[] {0, 0}) && Arrays.equals(c.getDilation(), new int[] {1, 1})
                && window.fits() && input.size(2) >= k[0] && input.size(3) >= k[1];
        return supported ? window : null;
    }
}
