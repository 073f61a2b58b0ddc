package dev.proxyanchor.model.pretrained;

import dev.proxyanchor.model.EmbeddingNetwork;
import dev.proxyanchor.model.backbones.Backbone;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The one place that says which PyTorch state_dict tensor fills which DL4J parameter:
 * <ul>
 *   <li>layer: the backbone's DL4J layer named after the PyTorch module, the module path given by
 *       {@link Backbone#torchModule} ({@code layer1_0_conv1} is {@code layer1.0.conv1}); the head's {@code embedding}
 *       layer is the module {@code embedding} (the official {@code model.embedding});</li>
 *   <li>parameter: convolution {@code W} = {@code weight} ([out, in, kh, kw] in both), {@code b} = {@code bias};
 *       BatchNorm {@code gamma}/{@code beta}/{@code mean}/{@code var} = {@code weight}/{@code bias}/
 *       {@code running_mean}/{@code running_var} (variance in both); dense {@code W} [in, out] = {@code weight}
 *       [out, in] transposed, {@code b} = {@code bias};</li>
 *   <li>BatchNorm's {@code num_batches_tracked} has no DL4J counterpart (it only matters for momentum=None) and is
 *       skipped.</li>
 * </ul>
 */
final class StateDictMapping {

    static final String SKIPPED_SUFFIX = ".num_batches_tracked";

    private StateDictMapping() {
    }

    /**
     * One DL4J parameter and the tensor that fills it.
     *
     * @param torchShape the shape the tensor has in PyTorch
     * @param transpose  whether the PyTorch tensor is the transpose of the DL4J parameter (dense weights)
     * @param required   backbone parameters must be in the file; the head's embedding may be
     */
    record Entry(String torchKey, String layer, String param, long[] torchShape, boolean transpose, boolean required) {

        String dl4jKey() {
            return layer + "_" + param;
        }
    }

    /** Every parameter of the backbone and of the embedding layer of {@code graph}, in graph order. */
    static List<Entry> entries(ComputationGraph graph, Backbone backbone) {
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<String, GraphVertex> vertex : graph.getConfiguration().getVertices().entrySet()) {
            if (!(vertex.getValue() instanceof LayerVertex layerVertex)) {
                continue;
            }
            String layer = vertex.getKey();
            Map<String, INDArray> params = graph.getLayer(layer).paramTable();
            if (params.isEmpty() || layer.equals(EmbeddingNetwork.PROXIES)) {
                continue;
            }
            boolean embedding = layer.equals(EmbeddingNetwork.EMBEDDING);
            String module = embedding ? "embedding" : backbone.torchModule(layer);
            Layer conf = layerVertex.getLayerConf().getLayer();
            for (Map.Entry<String, INDArray> param : params.entrySet()) {
                long[] shape = param.getValue().shape();
                String tensor;
                long[] torchShape;
                boolean transpose = false;
                if (conf instanceof BatchNormalization) {
                    tensor = switch (param.getKey()) {
                        case "gamma" -> "weight";
                        case "beta" -> "bias";
                        case "mean" -> "running_mean";
                        case "var" -> "running_var";
                        default -> throw unknown(layer, param.getKey());
                    };
                    torchShape = new long[] {param.getValue().length()};
                } else if (conf instanceof ConvolutionLayer) {
                    tensor = torchName(layer, param.getKey());
                    torchShape = tensor.equals("weight") ? shape : new long[] {param.getValue().length()};
                } else if (conf instanceof DenseLayer) {
                    tensor = torchName(layer, param.getKey());
                    transpose = tensor.equals("weight");
                    torchShape = transpose ? new long[] {shape[1], shape[0]} : new long[] {param.getValue().length()};
                } else {
                    throw new IllegalStateException("no PyTorch counterpart known for layer " + layer + " ("
                            + conf.getClass().getSimpleName() + ")");
                }
                entries.add(new Entry(module + "." + tensor, layer, param.getKey(), torchShape, transpose, !embedding));
            }
        }
        return entries;
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
