package dev.proxyanchor.model.layers;

import dev.proxyanchor.model.kernels.IndexedMaxPoolKernels;
import java.util.Collection;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's {@link SubsamplingLayer} (same configuration and JSON) run by {@link IndexedMaxPoolingImpl}: unpadded max
 * pooling takes the single-sweep path of {@link IndexedMaxPoolKernels} on float32 NCHW maps; any other
 * configuration runs DL4J's code. Optional zero margins ({@link #withZeroMargins}) pad the input first, as a
 * {@code ZeroPaddingLayer} before the pool would, without copying the map.
 */
public class IndexedMaxPooling extends SubsamplingLayer {

    /** Zero rows and columns around the input (top, bottom, left, right); null for none. */
    private int[] zeroMargins;

    /** For JSON and Java deserialisation. */
    public IndexedMaxPooling() {
        super();
    }

    private IndexedMaxPooling(SubsamplingLayer.Builder builder) {
        super(builder);
    }

    /** The layer {@code builder} describes (validated as {@link SubsamplingLayer.Builder#build()} does). */
    public static IndexedMaxPooling of(SubsamplingLayer.Builder builder) {
        builder.build();
        return new IndexedMaxPooling(builder);
    }

    /**
     * This pool with the input first padded by zero rows and columns: on a map that is non-negative everywhere (after
     * a ReLU), PyTorch's padded and {@code ceil_mode} pools.
     */
    public IndexedMaxPooling withZeroMargins(int top, int bottom, int left, int right) {
        IndexedMaxPooling copy = clone();
        copy.setZeroMargins(new int[] {top, bottom, left, right});
        return copy;
    }

    public int[] getZeroMargins() {
        return zeroMargins == null ? null : zeroMargins.clone();
    }

    /** Four margins >= 0 (top, bottom, left, right), or null; all zero is stored as null. */
    public void setZeroMargins(int[] zeroMargins) {
        if (zeroMargins != null && zeroMargins.length != 4) {
            throw new IllegalArgumentException("a max pool's zeroMargins are 4 numbers (top, bottom, left, right), got "
                    + java.util.Arrays.toString(zeroMargins));
        }
        this.zeroMargins = zeroMargins == null || marginsOf(zeroMargins).none() ? null : zeroMargins.clone();
    }

    /** The zero margins as the kernels take them. */
    IndexedMaxPoolKernels.Margins margins() {
        return zeroMargins == null ? IndexedMaxPoolKernels.Margins.NONE : marginsOf(zeroMargins);
    }

    private static IndexedMaxPoolKernels.Margins marginsOf(int[] m) {
        return new IndexedMaxPoolKernels.Margins(m[0], m[1], m[2], m[3]);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        IndexedMaxPoolKernels.Margins m = margins();
        if (m.none() || !(inputType instanceof InputType.InputTypeConvolutional c)) {
            return super.getOutputType(layerIndex, inputType);
        }
        return super.getOutputType(layerIndex, InputType.convolutional(c.getHeight() + m.top() + m.bottom(),
                c.getWidth() + m.left() + m.right(), c.getChannels(), c.getFormat()));
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
            Collection<TrainingListener> trainingListeners, int layerIndex, INDArray layerParamsView,
            boolean initializeParams, DataType networkDataType) {
        return LayerWiring.wire(new IndexedMaxPoolingImpl(conf, networkDataType), conf, trainingListeners, layerIndex,
                layerParamsView, initializeParams);
    }

    @Override
    public IndexedMaxPooling clone() {
        IndexedMaxPooling copy = (IndexedMaxPooling) super.clone();
        copy.zeroMargins = getZeroMargins();
        return copy;
    }

    @Override
    public boolean equals(Object o) {
        return super.equals(o) && o instanceof IndexedMaxPooling other
                && java.util.Arrays.equals(zeroMargins, other.zeroMargins);
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + java.util.Objects.hash(IndexedMaxPooling.class,
                java.util.Arrays.hashCode(zeroMargins));
    }
}
