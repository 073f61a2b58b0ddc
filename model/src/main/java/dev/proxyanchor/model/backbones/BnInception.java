package dev.proxyanchor.model.backbones;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;

/**
 * BN-Inception (Inception v2, Ioffe &amp; Szegedy 2015) as the official code uses it: the Caffe model ported by Cadene's
 * {@code pretrainedmodels.bninception} and copied into the official {@code net/bn_inception.py}, up to the
 * 1024 x 7 x 7 output of {@code inception_5b} (its {@code global_pool} and classifier {@code last_linear} are not
 * used). BatchNorm eps 1e-5; max pools with {@code ceil_mode=True}; average pools 3x3/1 padding 1 counting the
 * padding. Every DL4J layer carries the name of its PyTorch module ({@code conv1_7x7_s2}, {@code conv1_7x7_s2_bn},
 * {@code inception_3a_double_3x3_1}, ...), so a state_dict key is the layer name, a dot and the tensor name.
 *
 * <p>The official forward passes the BatchNorm outputs on after an in-place ReLU, so every branch, pool and
 * concatenation here reads the ReLU outputs. Concatenations are {@code inception_<block>_output}.
 */
public final class BnInception implements Backbone {

    public static final String NAME = "bn_inception";
    /**
     * The official code's {@code make_transform(is_inception=True)}: {@code RGBToBGR}, the crops, {@code ToTensor}, then
     * {@code ScaleIntensities([0, 1], [0, 255])} and {@code Normalize([104, 117, 128], [1, 1, 1])}: the Caffe-trained
     * weights read BGR values in [0, 255] minus the BGR means.
     */
    static final InputSpec INPUT = InputSpec.builder(InputSpec.Channels.BGR, 224).scale(1).mean(104, 117, 128)
            .std(1, 1, 1).evalResize(256).augmentation(InputSpec.Augmentation.RANDOM_RESIZED_CROP_AND_FLIP).build();
    private static final int IMAGE_SIZE = INPUT.size();
    private static final int IMAGENET_CLASSES = 1000;

    /**
     * One inception block: output widths of its branches (0 = branch absent), the stride of its 3x3 branches, and
     * whether its pool branch is a max pool.
     */
    private record Block(String name, int in, int n1x1, int n3x3Reduce, int n3x3, int nDouble3x3Reduce,
            int nDouble3x3, boolean maxPool, int poolProj, int stride) {

        int out() {
            return n1x1 + n3x3 + nDouble3x3 + (poolProj > 0 ? poolProj : in);
        }
    }

    private static final List<Block> BLOCKS = List.of(
            new Block("3a", 192, 64, 64, 64, 64, 96, false, 32, 1),
            new Block("3b", 256, 64, 64, 96, 64, 96, false, 64, 1),
            new Block("3c", 320, 0, 128, 160, 64, 96, true, 0, 2),
            new Block("4a", 576, 224, 64, 96, 96, 128, false, 128, 1),
            new Block("4b", 576, 192, 96, 128, 96, 128, false, 128, 1),
            new Block("4c", 576, 160, 128, 160, 128, 160, false, 128, 1),
            new Block("4d", 608, 96, 128, 192, 160, 192, false, 128, 1),
            new Block("4e", 608, 0, 128, 192, 192, 256, true, 0, 2),
            new Block("5a", 1056, 352, 192, 320, 160, 224, false, 128, 1),
            new Block("5b", 1024, 352, 192, 320, 192, 224, true, 128, 1));

    static {
        for (int i = 1; i < BLOCKS.size(); i++) {
            if (BLOCKS.get(i).in() != BLOCKS.get(i - 1).out()) {
                throw new IllegalStateException("inception_" + BLOCKS.get(i).name() + " reads " + BLOCKS.get(i).in()
                        + " channels, its predecessor gives " + BLOCKS.get(i - 1).out());
            }
        }
    }

    /** A vertex and the height (= width) of its feature map. */
    private record FeatureMap(String vertex, int size) {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public InputType inputType() {
        return InputType.convolutional(IMAGE_SIZE, IMAGE_SIZE, INPUT.channels().count());
    }

    @Override
    public InputSpec inputSpec() {
        return INPUT;
    }

    @Override
    public long featureChannels() {
        return 1024;
    }

    @Override
    public Optional<PretrainedSource> pretrained() {
        return Optional.of(new PretrainedSource(List.of("bn_inception-52deb4733.pth"),
                "http://data.lip6.fr/cadene/pretrainedmodels/bn_inception-52deb4733.pth"));
    }

    /** The ImageNet classifier {@code last_linear}, which the official wrapper keeps and never uses. */
    @Override
    public List<UnusedTorchTensor> unusedTorchTensors() {
        return UnusedTorchTensor.linear("last_linear", featureChannels(), IMAGENET_CLASSES);
    }

    @Override
    public String addTo(GraphBuilder graph, String input, boolean bnFreeze) {
        String x = convBnRelu(graph, "conv1_7x7_s2", input, 3, 64, 7, 2, 3, bnFreeze);
        int size = Layers.convolvedSize(IMAGE_SIZE, 7, 2, 3);
        size = Layers.maxPoolOfNonNegative(graph, "pool1_3x3_s2", x, size, 3, 2, 0, true);
        x = convBnRelu(graph, "conv2_3x3_reduce", "pool1_3x3_s2", 64, 64, 1, 1, 0, bnFreeze);
        x = convBnRelu(graph, "conv2_3x3", x, 64, 192, 3, 1, 1, bnFreeze);
        size = Layers.maxPoolOfNonNegative(graph, "pool2_3x3_s2", x, size, 3, 2, 0, true);
        FeatureMap map = new FeatureMap("pool2_3x3_s2", size);
        for (Block block : BLOCKS) {
            map = addBlock(graph, block, map, bnFreeze);
        }
        return map.vertex();
    }

    private static FeatureMap addBlock(GraphBuilder graph, Block b, FeatureMap in, boolean bnFreeze) {
        String input = in.vertex();
        int size = in.size();
        String p = "inception_" + b.name() + "_";
        List<String> branches = new ArrayList<>();
        if (b.n1x1() > 0) {
            branches.add(convBnRelu(graph, p + "1x1", input, b.in(), b.n1x1(), 1, 1, 0, bnFreeze));
        }
        String x = convBnRelu(graph, p + "3x3_reduce", input, b.in(), b.n3x3Reduce(), 1, 1, 0,
                bnFreeze);
        branches.add(convBnRelu(graph, p + "3x3", x, b.n3x3Reduce(), b.n3x3(), 3, b.stride(), 1,
                bnFreeze));
        x = convBnRelu(graph, p + "double_3x3_reduce", input, b.in(),
                b.nDouble3x3Reduce(), 1, 1, 0, bnFreeze);
        x = convBnRelu(graph, p + "double_3x3_1", x, b.nDouble3x3Reduce(), b.nDouble3x3(), 3,
                1, 1, bnFreeze);
        branches.add(convBnRelu(graph, p + "double_3x3_2", x, b.nDouble3x3(), b.nDouble3x3(),
                3, b.stride(), 1, bnFreeze));
        int out;
        int poolPadding = b.stride() == 1 ? 1 : 0;
        if (b.maxPool()) {
            out = Layers.maxPoolOfNonNegative(graph, p + "pool", input, size, 3, b.stride(), poolPadding, true);
        } else {
            out = Layers.boxAvgPool(graph, p + "pool", input, size, 3, b.stride(), poolPadding);
        }
        if (b.poolProj() > 0) {
            branches.add(convBnRelu(graph, p + "pool_proj", p + "pool", b.in(), b.poolProj(),
                    1, 1, 0, bnFreeze));
        } else {
            branches.add(p + "pool");
        }
        int convOut = Layers.convolvedSize(size, 3, b.stride(), 1);
        if (convOut != out) {
            throw new IllegalStateException("inception_" + b.name() + ": branches of sizes " + convOut + " and " + out);
        }
        graph.addVertex(p + "output", new MergeVertex(), branches.toArray(String[]::new));
        return new FeatureMap(p + "output", out);
    }

    /** {@code name} (conv with bias), then {@code name_bn} with the ReLU fused in; returns the BN. */
    private static String convBnRelu(GraphBuilder graph, String name, String input, long in, long out, int kernel,
            int stride, int padding, boolean bnFreeze) {
        Layers.conv(graph, name, input, in, out, kernel, stride, padding, true);
        return Layers.batchNormRelu(graph, name + "_bn", name, out, bnFreeze);
    }
}
