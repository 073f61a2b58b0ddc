package dev.proxyanchor.model.layers;

import java.util.Collection;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's {@link SubsamplingLayer} (same configuration and JSON) run by {@link TiledMaxPoolingImpl}: max pooling
 * whose windows tile the input (kernel == stride, no padding) takes the single-sweep path of
 * {@link TiledMaxPoolKernels} on float32 NCHW maps; any other configuration runs DL4J's code.
 */
public class TiledMaxPooling extends SubsamplingLayer {

    /** For JSON and Java deserialisation. */
    public TiledMaxPooling() {
        super();
    }

    private TiledMaxPooling(SubsamplingLayer.Builder builder) {
        super(builder);
    }

    /** The layer {@code builder} describes (validated as {@link SubsamplingLayer.Builder#build()} does). */
    public static TiledMaxPooling of(SubsamplingLayer.Builder builder) {
        builder.build();
        return new TiledMaxPooling(builder);
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
            Collection<TrainingListener> trainingListeners, int layerIndex, INDArray layerParamsView,
            boolean initializeParams, DataType networkDataType) {
        return LayerWiring.wire(new TiledMaxPoolingImpl(conf, networkDataType), conf, trainingListeners, layerIndex,
                layerParamsView, initializeParams);
    }

    @Override
    public TiledMaxPooling clone() {
        return (TiledMaxPooling) super.clone();
    }

    @Override
    public boolean equals(Object o) {
        return super.equals(o) && o instanceof TiledMaxPooling;
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + TiledMaxPooling.class.hashCode();
    }
}
