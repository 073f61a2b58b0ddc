package dev.proxyanchor.model.layers;

import java.util.Collection;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The official code's pooled feature, {@code adaptive_avg_pool2d(x, 1) + adaptive_max_pool2d(x, 1)}, as one layer
 * run by {@link GlobalAvgPlusMaxPoolingImpl}: [N, C, H, W] feature maps in, [N, C] out. Two DL4J global pooling
 * layers and an addition vertex computed the same thing in about a dozen ND4J ops forward and backward, which on the
 * small CNN cost more than the pooling arithmetic itself.
 *
 * <p>The configuration is DL4J's {@link GlobalPoolingLayer} (its output type and JSON), with the pooling type
 * nominally {@link PoolingType#AVG}; the class says what the layer computes.
 */
public class GlobalAvgPlusMaxPooling extends GlobalPoolingLayer {

    /** For JSON and Java deserialisation; also the layer itself (it has no settings). */
    public GlobalAvgPlusMaxPooling() {
        super(PoolingType.AVG);
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
            Collection<TrainingListener> trainingListeners, int layerIndex, INDArray layerParamsView,
            boolean initializeParams, DataType networkDataType) {
        return LayerWiring.wire(new GlobalAvgPlusMaxPoolingImpl(conf, networkDataType), conf, trainingListeners,
                layerIndex, layerParamsView, initializeParams);
    }

    @Override
    public GlobalAvgPlusMaxPooling clone() {
        return (GlobalAvgPlusMaxPooling) super.clone();
    }

    @Override
    public boolean equals(Object o) {
        return super.equals(o) && o instanceof GlobalAvgPlusMaxPooling;
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + GlobalAvgPlusMaxPooling.class.hashCode();
    }
}
