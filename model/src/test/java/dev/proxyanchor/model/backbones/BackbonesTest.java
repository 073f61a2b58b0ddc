package dev.proxyanchor.model.backbones;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxyanchor.model.EmbeddingNetwork;
import dev.proxyanchor.model.layers.OneDnnConvolution;
import dev.proxyanchor.model.layers.TorchBatchNorm;
import dev.proxyanchor.model.layers.TorchL2Normalize;
import dev.proxyanchor.model.recipe.ParameterGroup;
import dev.proxyanchor.model.recipe.Recipe;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;

/** Every registered backbone builds under the embedding head, has the feature map it declares, and survives JSON. */
class BackbonesTest {

    /** BatchNorm eps where the official code's differs from PyTorch's default 1e-5 (BasicConv2d's 1e-3). */
    private static final Map<String, Double> BATCH_NORM_EPS = Map.of("googlenet", 1e-3);
    /** The official wrappers' l2_norm epsilon where it differs from the ResNets' and BN-Inception's 1e-12. */
    private static final Map<String, Double> EMBEDDING_NORM_EPS = Map.of("googlenet", 1e-5);

    static List<String> names() {
        return Backbones.names().stream().sorted().toList();
    }

    @ParameterizedTest
    @MethodSource("names")
    void buildsWithTheHeadAndSurvivesJson(String name) {
        Backbone backbone = Backbones.create(name);
        Recipe recipe = Recipe.builder().model(name).embeddingSize(8).numClasses(3).seed(1).build();
        ComputationGraphConfiguration conf = EmbeddingNetwork.create(recipe, backbone, DataType.FLOAT)
                .getConfiguration();
        assertEquals(conf, ComputationGraphConfiguration.fromJson(conf.toJson()));

        Map<String, InputType> types = conf.getLayerActivationTypes(backbone.inputType());
        assertEquals(InputType.feedForward(backbone.featureChannels()), types.get("pool"), name + " feature width");
        TorchL2Normalize head = assertInstanceOf(TorchL2Normalize.class,
                conf.getVertices().get(EmbeddingNetwork.EMBEDDING_NORMALISED));
        assertEquals(EMBEDDING_NORM_EPS.getOrDefault(name, 1e-12), head.getEps(), name + " l2_norm epsilon");
    }

    /** The input spec handed to the image side describes the tensor the network reads. */
    @ParameterizedTest
    @MethodSource("names")
    void inputSpecDescribesTheInputType(String name) {
        Backbone backbone = Backbones.create(name);
        InputType.InputTypeConvolutional input = (InputType.InputTypeConvolutional) backbone.inputType();
        assertEquals(input.getChannels(), backbone.inputSpec().channels().count(), name + " channels");
        assertEquals(input.getHeight(), backbone.inputSpec().size(), name + " height");
        assertEquals(input.getWidth(), backbone.inputSpec().size(), name + " width");
    }

    /** Only the convolutions fed by the images skip their input gradient; every other one computes it. */
    @ParameterizedTest
    @MethodSource("names")
    void onlyTheStemSkipsTheInputGradient(String name) {
        Recipe recipe = Recipe.builder().model(name).embeddingSize(8).numClasses(3).build();
        ComputationGraphConfiguration conf = EmbeddingNetwork.configuration(recipe, Backbones.create(name),
                DataType.FLOAT);
        int convolutions = 0;
        for (Map.Entry<String, GraphVertex> vertex : conf.getVertices().entrySet()) {
            if (vertex.getValue() instanceof LayerVertex layerVertex
                    && layerVertex.getLayerConf().getLayer() instanceof OneDnnConvolution conv) {
                convolutions++;
                boolean fedByImages = conf.getNetworkInputs().containsAll(conf.getVertexInputs().get(vertex.getKey()));
                assertEquals(!fedByImages, conv.isInputGradient(), vertex.getKey());
            }
        }
        assertTrue(convolutions > 1, name);
    }

    /** --bn-freeze and --warm reach every BatchNorm and every backbone layer, as on the small CNN. */
    @ParameterizedTest
    @MethodSource("names")
    void bnFreezeAndWarmUpReachEveryBackboneLayer(String name) {
        for (boolean bnFreeze : new boolean[] {true, false}) {
            Recipe recipe = Recipe.builder().model(name).embeddingSize(8).numClasses(3).warm(2).bnFreeze(bnFreeze)
                    .build();
            ComputationGraphConfiguration conf = EmbeddingNetwork.configuration(recipe, Backbones.create(name),
                    DataType.FLOAT);
            int batchNorms = 0;
            for (Map.Entry<String, GraphVertex> vertex : conf.getVertices().entrySet()) {
                if (!(vertex.getValue() instanceof LayerVertex layerVertex)) {
                    continue;
                }
                Layer layer = layerVertex.getLayerConf().getLayer();
                if (layer instanceof BatchNormalization bn) {
                    batchNorms++;
                    TorchBatchNorm torchBn = assertInstanceOf(TorchBatchNorm.class, bn, vertex.getKey());
                    assertEquals(bnFreeze, torchBn.isFrozenStatistics(), vertex.getKey());
                    assertEquals(BATCH_NORM_EPS.getOrDefault(name, 1e-5), torchBn.getEps(), vertex.getKey());
                    assertFalse(torchBn.isUseLogStd(), vertex.getKey());
                }
                if (layer instanceof BaseLayer base) {
                    ParameterGroup group = EmbeddingNetwork.groupOf(vertex.getKey());
                    // The default AdamW clips in its step (every backbone layer is clipped).
                    assertEquals(recipe.optimizer().clippingUpdater(recipe.learningRate(group), recipe.clipValue()),
                            base.getIUpdater(), vertex.getKey());
                    if (group == ParameterGroup.BACKBONE) {
                        assertEquals(0.0, recipe.learningRate(group, 1), "frozen during warm-up");
                    }
                }
            }
            assertTrue(batchNorms > 0, name);
        }
    }
}
