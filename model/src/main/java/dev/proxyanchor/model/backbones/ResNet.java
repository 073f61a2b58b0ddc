package dev.proxyanchor.model.backbones;

import dev.proxyanchor.model.layers.ResidualRelu;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.inputs.InputType;

/**
 * torchvision's ResNet-18/50/101 (v1.5: the stride of a bottleneck sits on its 3x3 convolution) up to
 * {@code layer4}, without the average pool and the classifier {@code fc}, for 3 x 224 x 224 inputs, as the official
 * code's {@code Resnet18/50/101} use it. Every DL4J layer is named after its torchvision module with dots replaced by
 * underscores ({@code layer1.0.downsample.1} is the layer {@code layer1_0_downsample_1}); each block's residual sum and
 * the ReLU after it, which have no parameters, are one vertex {@code <block>_relu} ({@link ResidualRelu}; checkpoints
 * written before it have an Add vertex {@code <block>_add} and a ReLU layer {@code <block>_relu} there, which load and
 * compute the same). The feature map is 512 x 7 x 7 (ResNet-18) or 2048 x 7 x 7.
 */
public final class ResNet implements Backbone {

    private static final int IMAGE_SIZE = InputSpec.TORCHVISION_IMAGENET.size();
    private static final int IMAGENET_CLASSES = 1000;
    private static final Pattern BLOCK_LAYER = Pattern.compile("(layer\\d+)_(\\d+)_(downsample)_(\\d+)|(layer\\d+)_(\\d+)_(\\w+)");

    private final String name;
    private final boolean bottleneck;
    private final int[] blocks;

    private ResNet(String name, boolean bottleneck, int... blocks) {
        this.name = name;
        this.bottleneck = bottleneck;
        this.blocks = blocks;
    }

    public static ResNet resnet18() {
        return new ResNet("resnet18", false, 2, 2, 2, 2);
    }

    public static ResNet resnet50() {
        return new ResNet("resnet50", true, 3, 4, 6, 3);
    }

    public static ResNet resnet101() {
        return new ResNet("resnet101", true, 3, 4, 23, 3);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public InputType inputType() {
        return InputType.convolutional(IMAGE_SIZE, IMAGE_SIZE, 3);
    }

    /** torchvision's ImageNet input, as the official code prepares it for ResNets. */
    @Override
    public InputSpec inputSpec() {
        return InputSpec.TORCHVISION_IMAGENET;
    }

    @Override
    public long featureChannels() {
        return 512L * expansion();
    }

    private int expansion() {
        return bottleneck ? 4 : 1;
    }

    @Override
    public Optional<PretrainedSource> pretrained() {
        List<String> files = switch (name) {
            case "resnet18" -> List.of("resnet18-f37072fd.pth", "resnet18-5c106cde.pth");
            case "resnet50" -> List.of("resnet50-0676ba61.pth", "resnet50-19c8e357.pth");
            case "resnet101" -> List.of("resnet101-63fe2227.pth", "resnet101-5d3b4d8f.pth");
            default -> throw new IllegalStateException(name);
        };
        return Optional.of(new PretrainedSource(files, "https://download.pytorch.org/models/" + files.get(0)));
    }

    /** torchvision's ImageNet classifier, which the official wrappers keep and never use. */
    @Override
    public List<UnusedTorchTensor> unusedTorchTensors() {
        return UnusedTorchTensor.linear("fc", featureChannels(), IMAGENET_CLASSES);
    }

    /** DL4J layer name of a torchvision module path. */
    static String layerName(String torchModule) {
        return torchModule.replace('.', '_');
    }

    @Override
    public String torchModule(String layerName) {
        Matcher m = BLOCK_LAYER.matcher(layerName);
        if (!m.matches()) {
            return layerName;
        }
        return m.group(1) != null
                ? m.group(1) + "." + m.group(2) + "." + m.group(3) + "." + m.group(4)
                : m.group(5) + "." + m.group(6) + "." + m.group(7);
    }

    @Override
    public String addTo(GraphBuilder graph, String input, boolean bnFreeze) {
        String x = Layers.conv(graph, "conv1", input, 3, 64, 7, 2, 3, false);
        x = Layers.batchNormRelu(graph, "bn1", x, 64, bnFreeze);
        int size = Layers.convolvedSize(IMAGE_SIZE, 7, 2, 3);
        Layers.maxPoolOfNonNegative(graph, "maxpool", x, size, 3, 2, 1, false);
        x = "maxpool";
        long channels = 64;
        for (int stage = 0; stage < blocks.length; stage++) {
            long planes = 64L << stage;
            for (int block = 0; block < blocks[stage]; block++) {
                int stride = stage > 0 && block == 0 ? 2 : 1;
                String prefix = "layer" + (stage + 1) + "." + block;
                x = bottleneck
                        ? bottleneckBlock(graph, prefix, x, channels, planes, stride, bnFreeze)
                        : basicBlock(graph, prefix, x, channels, planes, stride, bnFreeze);
                channels = planes * expansion();
            }
        }
        return x;
    }

    private static String basicBlock(GraphBuilder graph, String prefix, String input, long in, long planes,
            int stride, boolean bnFreeze) {
        String p = layerName(prefix) + "_";
        String x = Layers.conv(graph, p + "conv1", input, in, planes, 3, stride, 1, false);
        x = Layers.batchNormRelu(graph, p + "bn1", x, planes, bnFreeze);
        x = Layers.conv(graph, p + "conv2", x, planes, planes, 3, 1, 1, false);
        x = Layers.batchNorm(graph, p + "bn2", x, planes, bnFreeze);
        return residual(graph, p, input, x, in, planes, stride, bnFreeze);
    }

    private static String bottleneckBlock(GraphBuilder graph, String prefix, String input, long in, long planes,
            int stride, boolean bnFreeze) {
        String p = layerName(prefix) + "_";
        String x = Layers.conv(graph, p + "conv1", input, in, planes, 1, 1, 0, false);
        x = Layers.batchNormRelu(graph, p + "bn1", x, planes, bnFreeze);
        x = Layers.conv(graph, p + "conv2", x, planes, planes, 3, stride, 1, false);
        x = Layers.batchNormRelu(graph, p + "bn2", x, planes, bnFreeze);
        x = Layers.conv(graph, p + "conv3", x, planes, planes * 4, 1, 1, 0, false);
        x = Layers.batchNorm(graph, p + "bn3", x, planes * 4, bnFreeze);
        return residual(graph, p, input, x, in, planes * 4, stride, bnFreeze);
    }

    /** {@code out = relu(branch + identity)}, the identity through {@code downsample} (1x1 conv + BN) when shapes change. */
    private static String residual(GraphBuilder graph, String p, String input, String branch, long in, long out,
            int stride, boolean bnFreeze) {
        String identity = input;
        if (stride != 1 || in != out) {
            identity = Layers.conv(graph, p + "downsample_0", input, in, out, 1, stride, 0, false);
            identity = Layers.batchNorm(graph, p + "downsample_1", identity, out, bnFreeze);
        }
        graph.addVertex(p + "relu", new ResidualRelu(), branch, identity);
        return p + "relu";
    }
}
