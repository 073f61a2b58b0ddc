package dev.proxyanchor.model.pretrained;

import dev.proxyanchor.model.EmbeddingNetwork;
import dev.proxyanchor.model.backbones.Backbone;
import dev.proxyanchor.model.backbones.UnusedTorchTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The one place that says which PyTorch state_dict tensor holds which DL4J parameter, used both ways (reading
 * ImageNet weights and official checkpoints, writing exports):
 * <ul>
 *   <li>layer: the backbone's DL4J layer named after the PyTorch module, the module path given by
 *       {@link Backbone#torchModule} ({@code layer1_0_conv1} is {@code layer1.0.conv1}); the head's {@code embedding}
 *       layer is the module {@code embedding} (the official {@code model.embedding});</li>
 *   <li>parameter: convolution {@code W} = {@code weight} ([out, in, kh, kw] in both), {@code b} = {@code bias};
 *       BatchNorm {@code gamma}/{@code beta}/{@code mean}/{@code var} = {@code weight}/{@code bias}/
 *       {@code running_mean}/{@code running_var} (variance in both); dense {@code W} [in, out] = {@code weight}
 *       [out, in] transposed, {@code b} = {@code bias};</li>
 *   <li>BatchNorm's {@code num_batches_tracked} (int64, a scalar) has no DL4J counterpart (it only matters for
 *       momentum=None): a {@linkplain Entry#counter() counter entry}, ignored when read, written on export;</li>
 *   <li>the tensors of the PyTorch class that the backbone does not use ({@link Backbone#unusedTorchTensors()}, the
 *       ImageNet classifier): ignored when read, written on export;</li>
 *   <li>the file's key layout ({@link Layout}): ImageNet weights name the modules bare ({@code conv1.weight}), the
 *       official wrappers ({@code Resnet50}, {@code bn_inception}, ...) put the network under {@code model.}
 *       ({@code model.conv1.weight}, {@code model.embedding.weight}).</li>
 * </ul>
 * Entries come from the graph's configuration alone, so that any registered backbone's keys and shapes are known
 * without allocating its parameters.
 */
final class StateDictMapping {

    static final String COUNTER_SUFFIX = ".num_batches_tracked";
    static final String EMBEDDING_MODULE = "embedding";

    /** How a file names the network's tensors. */
    enum Layout {
        /** ImageNet weights ({@code torchvision}, Cadene's BN-Inception): bare module paths; an embedding optional. */
        IMAGENET("", false),
        /** The official code's wrappers: everything under {@code model.}, the embedding layer included. */
        OFFICIAL("model.", true);

        final String prefix;
        final boolean embeddingRequired;

        Layout(String prefix, boolean embeddingRequired) {
            this.prefix = prefix;
            this.embeddingRequired = embeddingRequired;
        }
    }

    private StateDictMapping() {
    }

    /**
     * One tensor of the state_dict and the DL4J parameter it holds.
     *
     * @param key        the tensor's key without the layout prefix, e.g. {@code layer1.0.bn1.running_var}
     * @param layer      the DL4J layer, or the BatchNorm layer a counter belongs to
     * @param param      the DL4J parameter; null for a counter
     * @param torchShape the shape the tensor has in PyTorch
     * @param transpose  whether the PyTorch tensor is the transpose of the DL4J parameter (dense weights)
     * @param embedding  whether it belongs to the head's embedding layer rather than the backbone
     */
    record Entry(String key, String layer, String param, long[] torchShape, boolean transpose, boolean embedding) {

        boolean counter() {
            return param == null;
        }

        String dl4jKey() {
            return layer + "_" + param;
        }

        /** The DL4J parameter's value held by {@code tensor}, shaped like {@code target}. */
        INDArray toDl4j(TorchTensor tensor, INDArray target) {
            INDArray value = Nd4j.create(tensor.values(), torchShape, 'c');
            if (transpose) {
                value = value.transpose();
            }
            return value.reshape('c', target.shape()).castTo(target.dataType());
        }

        /** The tensor holding {@code param}, in PyTorch's shape and float32. */
        TorchTensor toTorch(INDArray param) {
            INDArray value = param.reshape('c', transpose ? new long[] {torchShape[1], torchShape[0]} : torchShape);
            if (transpose) {
                value = value.transpose();
            }
            float[] values = value.dup('c').castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).data().asFloat();
            return new TorchTensor(TorchTensor.FLOAT, torchShape.clone(), values);
        }
    }

    /**
     * Every tensor of the backbone (counters included) and of the embedding layer of {@code conf}, in graph order.
     * The proxies, which the official code keeps in its loss, are not part of the model's state_dict.
     */
    static List<Entry> entries(ComputationGraphConfiguration conf, Backbone backbone) {
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<String, GraphVertex> vertex : conf.getVertices().entrySet()) {
            if (!(vertex.getValue() instanceof LayerVertex layerVertex) || vertex.getKey().equals(EmbeddingNetwork.PROXIES)) {
                continue;
            }
            String layer = vertex.getKey();
            Layer layerConf = layerVertex.getLayerConf().getLayer();
            List<String> params = layerConf.initializer().paramKeys(layerConf);
            if (params.isEmpty()) {
                continue;
            }
            boolean embedding = layer.equals(EmbeddingNetwork.EMBEDDING);
            String module = embedding ? EMBEDDING_MODULE : backbone.torchModule(layer);
            for (String param : params) {
                entries.add(entry(layer, layerConf, module, param, embedding));
            }
            if (layerConf instanceof BatchNormalization) {
                entries.add(new Entry(module + COUNTER_SUFFIX, layer, null, new long[0], false, false));
            }
        }
        return entries;
    }

    private static Entry entry(String layer, Layer conf, String module, String param, boolean embedding) {
        if (conf instanceof BatchNormalization bn) {
            String tensor = switch (param) {
                case "gamma" -> "weight";
                case "beta" -> "bias";
                case "mean" -> "running_mean";
                case "var" -> "running_var";
                default -> throw unknown(layer, param);
            };
            return new Entry(module + "." + tensor, layer, param, new long[] {bn.getNOut()}, false, embedding);
        }
        if (conf instanceof ConvolutionLayer conv) {
            String tensor = torchName(layer, param);
            long[] shape = tensor.equals("weight")
                    ? new long[] {conv.getNOut(), conv.getNIn(), conv.getKernelSize()[0], conv.getKernelSize()[1]}
                    : new long[] {conv.getNOut()};
            return new Entry(module + "." + tensor, layer, param, shape, false, embedding);
        }
        if (conf instanceof DenseLayer dense) {
            String tensor = torchName(layer, param);
            boolean weight = tensor.equals("weight");
            long[] shape = weight ? new long[] {dense.getNOut(), dense.getNIn()} : new long[] {dense.getNOut()};
            return new Entry(module + "." + tensor, layer, param, shape, weight, embedding);
        }
        throw new IllegalStateException("no PyTorch counterpart known for layer " + layer + " ("
                + conf.getClass().getSimpleName() + ")");
    }

    /** The top-level modules of the tensors the backbone does not use ({@code fc}, {@code last_linear}, ...). */
    static Set<String> unusedModules(Backbone backbone) {
        Set<String> modules = new LinkedHashSet<>();
        for (UnusedTorchTensor t : backbone.unusedTorchTensors()) {
            int dot = t.key().indexOf('.');
            modules.add(dot < 0 ? t.key() : t.key().substring(0, dot));
        }
        return modules;
    }

    private static String torchName(String layer, String param) {
        return switch (param) {
            case "W" -> "weight";
            case "b" -> "bias";
            default -> throw unknown(layer, param);
        };
    }

    private static IllegalStateException unknown(String layer, String param) {
        return new IllegalStateException("no PyTorch tensor known for parameter " + param + " of layer " + layer);
    }

    /**
     * Whether a tensor of shape {@code got} fills a parameter of PyTorch shape {@code expected}: equal shapes, or
     * {@code got} with a leading 1 more (the published BN-Inception file stores BatchNorm tensors as [1, C]; the
     * official code squeezes dimension 0 of every tensor whose size there is 1).
     */
    static boolean fits(long[] got, long[] expected) {
        return Arrays.equals(got, expected)
                || got.length == expected.length + 1 && got[0] == 1
                && Arrays.equals(Arrays.copyOfRange(got, 1, got.length), expected);
    }
}
