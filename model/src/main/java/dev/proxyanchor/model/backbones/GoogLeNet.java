package dev.proxyanchor.model.backbones;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.distribution.UniformDistribution;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.weights.WeightInitDistribution;

/**
 * GoogLeNet (Inception v1, Szegedy et al. 2015) as the official code's {@code net/googlenet.py} uses it: a copy of
 * torchvision's {@code GoogLeNet} (same module names and state_dict, so torchvision's {@code googlenet-1378be20.pth}
 * loads into it) wrapped by the class {@code googlenet}, whose forward runs {@code conv1} ... {@code inception5b} and
 * then the common head (GAP + GMP, {@code embedding}, {@code l2_norm}). What that wrapper does, reproduced here:
 * <ul>
 *   <li>every convolution is a {@code BasicConv2d}: conv without bias, BatchNorm with eps 1e-3 (the TensorFlow
 *       port's value, not PyTorch's 1e-5), ReLU;</li>
 *   <li>max pools with {@code ceil_mode=True}: 3x3/2 after {@code conv1}, {@code conv3} and {@code inception3b},
 *       2x2/2 after {@code inception4e}, and 3x3/1 padding 1 as each inception block's {@code branch4.0};</li>
 *   <li>each block's third branch has a 3x3 kernel where the paper has 5x5 (torchvision kept that mistake for its
 *       weights, and the official copy has it too);</li>
 *   <li>no auxiliary classifiers: the official GoogLeNet is built with {@code aux_logits=True} (its state_dict
 *       holds {@code aux1.*}, {@code aux2.*}), but the wrapper's forward never calls them, in training either; nor
 *       the dropout and {@code fc} after the average pool. Those tensors are dropped when loading;</li>
 *   <li>no {@code transform_input}: torchvision switches it on for its pretrained weights (they were ported from
 *       TensorFlow and expect images scaled to [-1, 1]), but the official code builds {@code GoogLeNet()} with its
 *       default {@code transform_input=False} and the wrapper sets its own flag to False, so the ImageNet mean/std
 *       normalised images (the official {@code make_transform} for every model except BN-Inception) go to
 *       {@code conv1} unchanged;</li>
 *   <li>the wrapper's {@code l2_norm} adds 1e-5 under the square root ({@link #embeddingNormEps()}), where the
 *       ResNet and BN-Inception wrappers add 1e-12;</li>
 *   <li>the official code loads the weights with {@code strict=False}; here loading is strict, with the unused
 *       modules listed.</li>
 * </ul>
 * From a random initialisation the convolutions are Xavier-uniform (PyTorch's fans, not DL4J's, which divide the
 * fan-out by the stride) and BatchNorm is 1 / 0, as the official {@code _initialize_weights}.
 *
 * <p>Every DL4J layer is named after its torchvision module with dots replaced by underscores
 * ({@code inception3a.branch2.1.conv} is the layer {@code inception3a_branch2_1_conv}, no module name has an
 * underscore); the BatchNorm layers carry the ReLU fused in; each block's concatenation is the vertex
 * {@code inception3a} etc. For 3 x 224 x 224 inputs the feature map is 1024 x 7 x 7.
 */
public final class GoogLeNet implements Backbone {

    public static final String NAME = "googlenet";
    private static final int IMAGE_SIZE = InputSpec.TORCHVISION_IMAGENET.size();
    private static final double BATCH_NORM_EPS = 1e-3;
    private static final double EMBEDDING_NORM_EPS = 1e-5;
    private static final int IMAGENET_CLASSES = 1000;
    /** The auxiliary classifiers read inception4a's and inception4d's outputs, pooled to 4 x 4, through 128 1x1s. */
    private static final long AUX1_CHANNELS = 512;
    private static final long AUX2_CHANNELS = 528;
    private static final long AUX_WIDTH = 128;

    /** torchvision's {@code Inception(in_channels, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj)}. */
    private record Block(String name, int in, int ch1x1, int ch3x3Reduce, int ch3x3, int ch5x5Reduce, int ch5x5,
            int poolProj) {

        int out() {
            return ch1x1 + ch3x3 + ch5x5 + poolProj;
        }
    }

    /** A max pool (stride 2, {@code ceil_mode}) and the blocks after it. */
    private record Stage(String pool, int poolKernel, List<Block> blocks) {
    }

    private static final List<Stage> STAGES = List.of(
            new Stage("maxpool2", 3, List.of(
                    new Block("inception3a", 192, 64, 96, 128, 16, 32, 32),
                    new Block("inception3b", 256, 128, 128, 192, 32, 96, 64))),
            new Stage("maxpool3", 3, List.of(
                    new Block("inception4a", 480, 192, 96, 208, 16, 48, 64),
                    new Block("inception4b", 512, 160, 112, 224, 24, 64, 64),
                    new Block("inception4c", 512, 128, 128, 256, 24, 64, 64),
                    new Block("inception4d", 512, 112, 144, 288, 32, 64, 64),
                    new Block("inception4e", 528, 256, 160, 320, 32, 128, 128))),
            new Stage("maxpool4", 2, List.of(
                    new Block("inception5a", 832, 256, 160, 320, 32, 128, 128),
                    new Block("inception5b", 832, 384, 192, 384, 48, 128, 128))));

    private static final int STEM_CHANNELS = 192;

    static {
        int channels = STEM_CHANNELS;
        for (Stage stage : STAGES) {
            for (Block block : stage.blocks()) {
                if (block.in() != channels) {
                    throw new IllegalStateException(block.name() + " reads " + block.in() + " channels, its"
                            + " predecessor gives " + channels);
                }
                channels = block.out();
            }
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public InputType inputType() {
        return InputType.convolutional(IMAGE_SIZE, IMAGE_SIZE, 3);
    }

    /** torchvision's ImageNet input without {@code transform_input}, as the official code feeds GoogLeNet. */
    @Override
    public InputSpec inputSpec() {
        return InputSpec.TORCHVISION_IMAGENET;
    }

    @Override
    public long featureChannels() {
        List<Block> last = STAGES.get(STAGES.size() - 1).blocks();
        return last.get(last.size() - 1).out();
    }

    @Override
    public double embeddingNormEps() {
        return EMBEDDING_NORM_EPS;
    }

    @Override
    public Optional<PretrainedSource> pretrained() {
        return Optional.of(new PretrainedSource(List.of("googlenet-1378be20.pth"),
                "https://download.pytorch.org/models/googlenet-1378be20.pth"));
    }

    /**
     * The official {@code GoogLeNet}'s auxiliary classifiers and classifier, which its wrapper keeps and never runs,
     * initialised as its {@code _initialize_weights} does: Xavier-uniform weights, zero biases, BatchNorm 1 and 0.
     */
    @Override
    public List<UnusedTorchTensor> unusedTorchTensors() {
        List<UnusedTorchTensor> tensors = new ArrayList<>();
        tensors.addAll(auxiliaryClassifier("aux1", AUX1_CHANNELS));
        tensors.addAll(auxiliaryClassifier("aux2", AUX2_CHANNELS));
        tensors.addAll(UnusedTorchTensor.xavierLinear("fc", featureChannels(), IMAGENET_CLASSES));
        return tensors;
    }

    /** torchvision's {@code InceptionAux(in, 1000)}: BasicConv2d(in, 128, 1x1), fc1 2048 -> 1024, fc2 -> 1000. */
    private static List<UnusedTorchTensor> auxiliaryClassifier(String module, long in) {
        List<UnusedTorchTensor> tensors = new ArrayList<>();
        tensors.add(UnusedTorchTensor.xavierUniform(module + ".conv.conv.weight", new long[] {AUX_WIDTH, in, 1, 1}));
        tensors.addAll(UnusedTorchTensor.batchNorm(module + ".conv.bn", AUX_WIDTH));
        tensors.addAll(UnusedTorchTensor.xavierLinear(module + ".fc1", AUX_WIDTH * 4 * 4, 1024));
        tensors.addAll(UnusedTorchTensor.xavierLinear(module + ".fc2", 1024, IMAGENET_CLASSES));
        return tensors;
    }

    @Override
    public String torchModule(String layerName) {
        return layerName.replace('_', '.');
    }

    @Override
    public String addTo(GraphBuilder graph, String input, boolean bnFreeze) {
        String x = basicConv(graph, "conv1", input, 3, 64, 7, 2, 3, bnFreeze);
        int size = Layers.convolvedSize(IMAGE_SIZE, 7, 2, 3);
        size = Layers.maxPoolOfNonNegative(graph, "maxpool1", x, size, 3, 2, 0, true);
        x = basicConv(graph, "conv2", "maxpool1", 64, 64, 1, 1, 0, bnFreeze);
        x = basicConv(graph, "conv3", x, 64, STEM_CHANNELS, 3, 1, 1, bnFreeze);
        for (Stage stage : STAGES) {
            size = Layers.maxPoolOfNonNegative(graph, stage.pool(), x, size, stage.poolKernel(), 2, 0, true);
            x = stage.pool();
            for (Block block : stage.blocks()) {
                x = addBlock(graph, block, x, size, bnFreeze);
            }
        }
        return x;
    }

    private static String addBlock(GraphBuilder graph, Block b, String input, int size, boolean bnFreeze) {
        String p = b.name() + "_";
        String branch1 = basicConv(graph, p + "branch1", input, b.in(), b.ch1x1(), 1, 1, 0, bnFreeze);
        String x = basicConv(graph, p + "branch2_0", input, b.in(), b.ch3x3Reduce(), 1, 1, 0, bnFreeze);
        String branch2 = basicConv(graph, p + "branch2_1", x, b.ch3x3Reduce(), b.ch3x3(), 3, 1, 1, bnFreeze);
        x = basicConv(graph, p + "branch3_0", input, b.in(), b.ch5x5Reduce(), 1, 1, 0, bnFreeze);
        String branch3 = basicConv(graph, p + "branch3_1", x, b.ch5x5Reduce(), b.ch5x5(), 3, 1, 1, bnFreeze);
        int pooled = Layers.maxPoolOfNonNegative(graph, p + "branch4_0", input, size, 3, 1, 1, true);
        if (pooled != size) {
            throw new IllegalStateException(b.name() + ": pool branch of size " + pooled + ", convolutions " + size);
        }
        String branch4 = basicConv(graph, p + "branch4_1", p + "branch4_0", b.in(), b.poolProj(), 1, 1, 0, bnFreeze);
        graph.addVertex(b.name(), new MergeVertex(), branch1, branch2, branch3, branch4);
        return b.name();
    }

    /**
     * torchvision's {@code BasicConv2d} named {@code module}: the layers {@code module_conv} (no bias) and
     * {@code module_bn} (eps 1e-3, ReLU fused in); returns the BN.
     */
    private static String basicConv(GraphBuilder graph, String module, String input, long in, long out, int kernel,
            int stride, int padding, boolean bnFreeze) {
        double fans = (double) (in + out) * kernel * kernel;
        double bound = Math.sqrt(6 / fans);
        Layers.conv(graph, module + "_conv", input, in, out, kernel, stride, padding, false,
                new WeightInitDistribution(new UniformDistribution(-bound, bound)));
        return Layers.batchNormRelu(graph, module + "_bn", module + "_conv", out, BATCH_NORM_EPS, bnFreeze);
    }
}
