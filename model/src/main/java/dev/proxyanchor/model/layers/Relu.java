package dev.proxyanchor.model.layers;

import java.util.Collection;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A ReLU layer: DL4J's {@link ActivationLayer} with {@link Activation#RELU} (same JSON), run by {@link ReluImpl}.
 * ResNet's ReLU after each residual addition cannot be fused into a BatchNorm. There, DL4J's activation layer copied
 * its input and ran ND4J's ReLU backward op, about a tenth of a ResNet-50 step. ResNets now end their blocks with
 * {@link ResidualRelu}; this layer runs the checkpoints written before it.
 */
public class Relu extends ActivationLayer {

    /** For JSON and Java deserialisation; also the layer itself. */
    public Relu() {
        super(new ActivationLayer.Builder().activation(Activation.RELU));
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
            Collection<TrainingListener> trainingListeners, int layerIndex, INDArray layerParamsView,
            boolean initializeParams, DataType networkDataType) {
        return LayerWiring.wire(new ReluImpl(conf, networkDataType), conf, trainingListeners, layerIndex,
                layerParamsView, initializeParams);
    }

    @Override
    public Relu clone() {
        return (Relu) super.clone();
    }

    @Override
    public boolean equals(Object o) {
        return super.equals(o) && o instanceof Relu;
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + Relu.class.hashCode();
    }
}
