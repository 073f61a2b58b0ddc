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
 *
 * <p>A layer fed by the network's input can skip the gradient with respect to that input
 * ({@link #withoutInputGradient()}), as PyTorch does for an input that does not require grad: nothing reads it, and
 * for a stem on 1- or 3-channel images oneDNN's backward-data pass is slow (it pads the channels to 16).
 */
public class OneDnnConvolution extends ConvolutionLayer {

    private boolean inputGradient = true;

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

    /**
     * This layer without the gradient with respect to its input: backprop returns {@code null} in its place, which
     * DL4J's {@code ComputationGraph} accepts for a layer whose input is a network input and no other layer reads.
     */
    public OneDnnConvolution withoutInputGradient() {
        this.inputGradient = false;
        return this;
    }

    public boolean isInputGradient() {
        return inputGradient;
    }

    public void setInputGradient(boolean inputGradient) {
        this.inputGradient = inputGradient;
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
        return super.equals(o) && o instanceof OneDnnConvolution c && inputGradient == c.inputGradient;
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + OneDnnConvolution.class.hashCode() + (inputGradient ? 0 : 1);
    }
}
