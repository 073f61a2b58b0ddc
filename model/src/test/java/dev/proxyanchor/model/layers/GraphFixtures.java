package dev.proxyanchor.model.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** The BatchNorm tests' small graphs: their convolutions, parameters to start from, and one pass's gradients. */
final class GraphFixtures {

    private GraphFixtures() {
    }

    /**
     * Random parameters of {@code type}, with the statistics and affine parameters of {@code batchNorms} away from
     * their identity values; sets them on {@code graph} and returns a copy.
     */
    static INDArray randomParams(ComputationGraph graph, List<String> batchNorms, DataType type) {
        graph.setParams(Nd4j.randn(type, 1, graph.numParams()).muli(0.3));
        for (String bn : batchNorms) {
            org.deeplearning4j.nn.api.Layer layer = graph.getLayer(bn);
            long c = layer.getParam(BatchNormalizationParamInitializer.GAMMA).length();
            layer.setParam(BatchNormalizationParamInitializer.GAMMA, Nd4j.rand(type, 1, c).addi(0.5));
            layer.setParam(BatchNormalizationParamInitializer.BETA, Nd4j.rand(type, 1, c).subi(0.5));
            layer.setParam(BatchNormalizationParamInitializer.GLOBAL_MEAN, Nd4j.rand(type, 1, c).subi(0.5));
            layer.setParam(BatchNormalizationParamInitializer.GLOBAL_VAR, Nd4j.rand(type, 1, c).muli(1.5).addi(0.5));
        }
        return graph.params().dup();
    }

    /** Gradients of one forward and backward pass, by parameter name, as copies of {@code type}. */
    static Map<String, INDArray> gradients(ComputationGraph graph, INDArray x, INDArray y, DataType type) {
        graph.setInputs(x);
        graph.setLabels(y);
        graph.computeGradientAndScore();
        Map<String, INDArray> out = new TreeMap<>();
        graph.gradient().gradientForVariable().forEach((k, v) -> out.put(k, v.castTo(type).dup()));
        return out;
    }

    /**
     * Gives both graphs the same random parameters and trains them side by side on one batch of 12 x 12 RGB images for
     * {@code steps} steps, asserting each step's loss and gradients identical to the last bit; {@code afterStep}
     * checks anything else after each step. Returns the batch's images.
     */
    static INDArray assertTrainAlike(ComputationGraph expected, ComputationGraph actual, List<String> batchNorms,
            int batch, int steps, IntConsumer afterStep) {
        INDArray params = randomParams(expected, batchNorms, DataType.FLOAT);
        expected.setParams(params);
        actual.setParams(params);
        INDArray x = Nd4j.rand(DataType.FLOAT, batch, 3, 12, 12).subi(0.5);
        INDArray y = Nd4j.randn(DataType.FLOAT, batch, 5);
        for (int step = 0; step < steps; step++) {
            Map<String, INDArray> want = gradients(expected, x, y, DataType.FLOAT);
            Map<String, INDArray> got = gradients(actual, x, y, DataType.FLOAT);
            assertEquals(expected.score(), actual.score(), 0.0, "loss, step " + step);
            assertEquals(want, got, "gradients, step " + step);
            afterStep.accept(step);
        }
        return x;
    }

    /**
     * After {@link #assertTrainAlike}: inference gives the same output and keeps NCHW ({@code handedOver} false), and
     * the next training pass hands over again.
     */
    static void assertInferenceAlike(ComputationGraph expected, ComputationGraph actual, INDArray x,
            BooleanSupplier handedOver) {
        assertEquals(expected.outputSingle(false, x), actual.outputSingle(false, x), "inference output");
        assertFalse(handedOver.getAsBoolean(), "inference keeps NCHW");
        gradients(actual, x, Nd4j.randn(DataType.FLOAT, x.size(0), 5), DataType.FLOAT);
        assertTrue(handedOver.getAsBoolean(), "training after inference hands over again");
    }

    /** A graph of {@code type} with no updater, reading {@code size} x {@code size} images of {@code channels}. */
    static GraphBuilder graph(DataType type, int size, int channels) {
        return new NeuralNetConfiguration.Builder().seed(1).dataType(type).updater(new NoOp()).graphBuilder()
                .addInputs("input").setInputTypes(InputType.convolutional(size, size, channels));
    }

    /** The tests' head on {@code input}'s {@code channels} maps: GAP + GMP, a dense layer to {@code outputs}, MSE. */
    static void addHead(GraphBuilder g, String input, int channels, int outputs) {
        g.addLayer("pool", new GlobalAvgPlusMaxPooling(), input);
        g.addLayer("dense", new DenseLayer.Builder().nIn(channels).nOut(outputs).activation(Activation.IDENTITY)
                .build(), "pool");
        g.addLayer("loss", new LossLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY)
                .build(), "dense");
        g.setOutputs("loss");
    }

    /** A same-padded convolution with the identity activation, as the backbones build them. */
    static OneDnnConvolution conv(int in, int out, int kernel, int stride, boolean bias) {
        return OneDnnConvolution.of(new ConvolutionLayer.Builder(kernel, kernel).nIn(in).nOut(out)
                .stride(stride, stride).padding(kernel / 2, kernel / 2).convolutionMode(ConvolutionMode.Truncate)
                .activation(Activation.IDENTITY).hasBias(bias));
    }

    static TorchBatchNorm batchNorm(ComputationGraphConfiguration conf, String name) {
        return (TorchBatchNorm) ((LayerVertex) conf.getVertices().get(name)).getLayerConf().getLayer();
    }
}
