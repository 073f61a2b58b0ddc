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
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * DL4J's subsampling layer with unpadded max pooling done by {@link IndexedMaxPoolKernels}: the forward pass keeps
 * each window's winner so the backward pass is one sweep. DL4J's own path (ND4J's {@code maxpool2d} and, through
 * its oneDNN helper, a {@code maxpool2d_bp} that pools again) runs for anything else, on an explicitly padded copy
 * of the input when the pool has zero margins.
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
            return onPaddedInput(ArrayType.FF_WORKING_MEM, workspaceMgr, () -> super.activate(training, workspaceMgr));
        }
        IndexedMaxPoolKernels.Margins m = margins();
        long[] outShape = {input.size(0), input.size(1),
                (input.size(2) + m.top() + m.bottom() - window.kH()) / window.sH() + 1,
                (input.size(3) + m.left() + m.right() - window.kW()) / window.sW() + 1};
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT, outShape, 'c');
        winners = IndexedMaxPoolKernels.winnersFor(winners, out.length());
        IndexedMaxPoolKernels.forward(input, window, m, out, winners);
        winnersInputShape = input.shape();
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        if (winnersInputShape == null || !Arrays.equals(winnersInputShape, input.shape())) {
            return dl4jBackprop(epsilon, workspaceMgr);
        }
        INDArray dy = ContiguousFloats.all(epsilon) ? epsilon : epsilon.castTo(DataType.FLOAT).dup('c');
        INDArray dx = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, DataType.FLOAT, input.shape(), 'c');
        IndexedMaxPoolKernels.backward(dy, winners, window(), margins(), dx);
        return new Pair<>(new DefaultGradient(), dx);
    }

    /** DL4J's backward pass, on the padded input; the gradient at the margins is dropped. */
    private Pair<Gradient, INDArray> dl4jBackprop(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        IndexedMaxPoolKernels.Margins m = margins();
        if (m.none()) {
            return super.backpropGradient(epsilon, workspaceMgr);
        }
        long h = input.size(2);
        long w = input.size(3);
        Pair<Gradient, INDArray> padded = onPaddedInput(ArrayType.BP_WORKING_MEM, workspaceMgr,
                () -> super.backpropGradient(epsilon, workspaceMgr));
        INDArray inner = padded.getSecond().get(NDArrayIndex.all(), NDArrayIndex.all(),
                NDArrayIndex.interval(m.top(), m.top() + h), NDArrayIndex.interval(m.left(), m.left() + w));
        return new Pair<>(padded.getFirst(), workspaceMgr.dup(ArrayType.ACTIVATION_GRAD, inner, 'c'));
    }

    /** Runs DL4J's code with the input replaced by a zero-padded copy (the input itself when there are no margins). */
    private <T> T onPaddedInput(ArrayType type, LayerWorkspaceMgr workspaceMgr, java.util.function.Supplier<T> pass) {
        IndexedMaxPoolKernels.Margins m = margins();
        if (m.none()) {
            return pass.get();
        }
        INDArray original = input;
        INDArray padded = workspaceMgr.create(type, original.dataType(), new long[] {original.size(0),
                original.size(1), original.size(2) + m.top() + m.bottom(), original.size(3) + m.left() + m.right()},
                'c');
        padded.get(NDArrayIndex.all(), NDArrayIndex.all(),
                NDArrayIndex.interval(m.top(), m.top() + original.size(2)),
                NDArrayIndex.interval(m.left(), m.left() + original.size(3))).assign(original);
        input = padded;
        try {
            return pass.get();
        } finally {
            input = original;
        }
    }

    private IndexedMaxPoolKernels.Margins margins() {
        return ((IndexedMaxPooling) layerConf()).margins();
    }

    /** The window of an unpadded, undilated, truncating NCHW max pool that fits the padded input; else null. */
    private IndexedMaxPoolKernels.Window window() {
        org.deeplearning4j.nn.conf.layers.SubsamplingLayer c = layerConf();
        int[] k = c.getKernelSize();
        int[] s = c.getStride();
        IndexedMaxPoolKernels.Window window = new IndexedMaxPoolKernels.Window(k[0], k[1], s[0], s[1]);
        IndexedMaxPoolKernels.Margins m = margins();
        boolean supported = c.getPoolingType() == PoolingType.MAX && input.rank() == 4
                && c.getCnn2dDataFormat() == CNN2DFormat.NCHW && convolutionMode == ConvolutionMode.Truncate
                && Arrays.equals(c.getPadding(), new int[] {0, 0}) && Arrays.equals(c.getDilation(), new int[] {1, 1})
                && window.fits() && input.size(2) + m.top() + m.bottom() >= k[0]
                && input.size(3) + m.left() + m.right() >= k[1];
        return supported ? window : null;
    }
}
