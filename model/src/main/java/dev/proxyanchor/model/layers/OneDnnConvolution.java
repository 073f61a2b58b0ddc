package dev.proxyanchor.model.layers;

import java.util.Collection;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's {@link ConvolutionLayer} (same parameters, initialisation, JSON and checkpoints) run by
 * {@link OneDnnConvolutionImpl}: on the CPU backend through oneDNN primitives of its own, and without recomputing
 * the forward convolution during backprop.
 */
public class OneDnnConvolution extends ConvolutionLayer {

    /** For JSON and Java deserialisation. */
    public OneDnnConvolution() {
        super();
    }

    private OneDnnConvolution(ConvolutionLayer.Builder builder) {
        super(builder);
    }

    /** The layer {@code builder} describes (validated as {@link ConvolutionLayer.Builder#build()} does). */
    public static OneDnnConvolution of(ConvolutionLayer.Builder builder) {
        builder.build();
        return new OneDnnConvolution(builder);
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
            Collection<TrainingListener> trainingListeners, int layerIndex, INDArray layerParamsView,
            boolean initializeParams, DataType networkDataType) {
        LayerValidation.assertNInNOutSet("OneDnnConvolution", getLayerName(), layerIndex, getNIn(), getNOut());
        return LayerWiring.wire(new OneDnnConvolutionImpl(conf, networkDataType), conf, trainingListeners,
                layerIndex, layerParamsView, initializeParams);
    }

    @Override
    public OneDnnConvolution clone() {
        return (OneDnnConvolution) super.clone();
    }

    @Override
    public boolean equals(Object o) {
        return super.equals(o) && o instanceof OneDnnConvolution;
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + OneDnnConvolution.class.hashCode();
    }
}
