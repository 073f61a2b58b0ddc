package dev.proxyanchor.model.layers;

import dev.proxyanchor.model.kernels.IndexedMaxPoolKernels;
import java.util.Collection;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's {@link SubsamplingLayer} (same configuration and JSON) run by {@link IndexedMaxPoolingImpl}: unpadded max
 * pooling takes the single-sweep path of {@link IndexedMaxPoolKernels} on float32 NCHW maps; any other
 * configuration runs DL4J's code.
 */
public class IndexedMaxPooling extends SubsamplingLayer {

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

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
            Collection<TrainingListener> trainingListeners, int layerIndex, INDArray layerParamsView,
            boolean initializeParams, DataType networkDataType) {
        return LayerWiring.wire(new IndexedMaxPoolingImpl(conf, networkDataType), conf, trainingListeners, layerIndex,
                layerParamsView, initializeParams);
    }

    @Override
    public IndexedMaxPooling clone() {
        return (IndexedMaxPooling) super.clone();
    }

    @Override
    public boolean equals(Object o) {
        return super.equals(o) && o instanceof IndexedMaxPooling;
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + IndexedMaxPooling.class.hashCode();
    }
}
