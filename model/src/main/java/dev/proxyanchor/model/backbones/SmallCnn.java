package dev.proxyanchor.model.backbones;

import dev.proxyanchor.model.layers.OneDnnConvolution;
import dev.proxyanchor.model.layers.IndexedMaxPooling;
import dev.proxyanchor.model.layers.TorchBatchNorm;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;

/**
 * The CPU-sized network of the demo and the tests, for 1 x 28 x 28 Fashion-MNIST images:
 * conv 5x5x32 + BN + ReLU + maxpool 2, conv 5x5x64 + BN + ReLU + maxpool 2 (same padding, biases kept, He init;
 * each ReLU fused into its BatchNorm layer),
 * giving a 64 x 7 x 7 feature map. The widths can be shrunk for gradient checks.
 */
public final class SmallCnn implements Backbone {

    public static final String NAME = "small_cnn";

    private final int height;
    private final int width;
    private final int channels;
    private final int width1;
    private final int width2;

    public SmallCnn() {
        this(28, 28, 1, 32, 64);
    }

    public SmallCnn(int height, int width, int channels, int width1, int width2) {
        this.height = height;
        this.width = width;
        this.channels = channels;
        this.width1 = width1;
        this.width2 = width2;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public InputType inputType() {
        return InputType.convolutional(height, width, channels);
    }

    /**
     * Fashion-MNIST as it is: grey values scaled to [0, 1], no augmentation, the whole image at evaluation. (The shrunk
     * variants of the gradient checks are never fed images.)
     */
    @Override
    public InputSpec inputSpec() {
        return InputSpec.builder(channels == 1 ? InputSpec.Channels.GREY : InputSpec.Channels.RGB, height).build();
    }

    @Override
    public long featureChannels() {
        return width2;
    }

    @Override
    public String addTo(GraphBuilder graph, String input, boolean bnFreeze) {
        String block1 = addBlock(graph, "block1", input, channels, width1, bnFreeze);
        return addBlock(graph, "block2", block1, width1, width2, bnFreeze);
    }

    private static String addBlock(GraphBuilder graph, String name, String input, int in, int out, boolean bnFreeze) {
        Layers.addConv(graph, name + "_conv", OneDnnConvolution.of(new ConvolutionLayer.Builder(5, 5)
                .nIn(in).nOut(out)
                .convolutionMode(ConvolutionMode.Same)
                .weightInit(WeightInit.RELU)
                .biasInit(0.0)
                .activation(Activation.IDENTITY)), input);
        graph.addLayer(name + "_bn", TorchBatchNorm.of(out, bnFreeze).followedByRelu(), name + "_conv");
        graph.addLayer(name + "_pool", IndexedMaxPooling.of(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX)
                .kernelSize(2, 2).stride(2, 2)), name + "_bn");
        return name + "_pool";
    }
}
