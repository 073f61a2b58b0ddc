package dev.proxyanchor.model.layers;

import static dev.proxyanchor.model.layers.GraphFixtures.batchNorm;
import static dev.proxyanchor.model.layers.GraphFixtures.conv;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxyanchor.model.EmbeddingNetwork;
import dev.proxyanchor.model.backbones.Backbones;
import dev.proxyanchor.model.recipe.Recipe;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Two folded convolutions handing a feature map over in oneDNN's own layout (see {@link OneDnnConvolutionImpl}) against
 * the same network keeping every map in NCHW: the handover changes where a map's floats sit, not the arithmetic, so
 * loss, output and every gradient must be the same to the last bit, step after step, and inference (which keeps NCHW)
 * too. The network chains conv1 -> bn1 + ReLU -> conv2 -> bn2 + ReLU -> conv3 (1x1, stride 2) -> bn3 -> ReLU.
 */
class ConvolutionHandoffTest {

    private static final int BATCH = 3;
    private static final List<String> BATCH_NORMS = List.of("bn1", "bn2", "bn3");

    @Test
    void handedOverMapsGiveTheNchwNetworksLossAndGradientsExactly() {
        ComputationGraph nchw = network(false);
        ComputationGraph handoff = network(true);
        Nd4j.getRandom().setSeed(5);
        INDArray x = GraphFixtures.assertTrainAlike(nchw, handoff, BATCH_NORMS, BATCH, 4, step -> {
            // Step 0 links each convolution to its BatchNorm, step 1 each writer to its reader.
            boolean linked = step >= 2;
            assertEquals(linked, handedOver(handoff, "conv1"), "conv1 hands over at step " + step);
            assertEquals(linked, handedOver(handoff, "conv2"), "conv2 hands over at step " + step);
            assertFalse(handedOver(handoff, "conv3"), "conv3's map is read by a ReLU layer");
            assertFalse(handedOver(nchw, "conv1") || handedOver(nchw, "conv2"), "unmarked network, step " + step);
        });
        GraphFixtures.assertInferenceAlike(nchw, handoff, x, () -> handedOver(handoff, "conv1"));
    }

    @Test
    void marksBatchNormsThatOneConvolutionAloneReads() {
        ComputationGraphConfiguration conf = configuration();
        BatchNormFolding.markFoldable(conf);
        assertTrue(batchNorm(conf, "bn1").isReadByOneConvolution());
        assertTrue(batchNorm(conf, "bn2").isReadByOneConvolution());
        assertFalse(batchNorm(conf, "bn3").isReadByOneConvolution(), "read by a ReLU layer");

        for (String name : List.of("resnet50", "bn_inception")) {
            Recipe recipe = Recipe.builder().model(name).embeddingSize(8).numClasses(3).build();
            ComputationGraphConfiguration backbone = EmbeddingNetwork.configuration(recipe, Backbones.create(name),
                    DataType.FLOAT);
            long marked = backbone.getVertices().values().stream().map(ConvolutionHandoffTest::layerOf)
                    .filter(l -> l instanceof TorchBatchNorm bn && bn.isReadByOneConvolution()).count();
            assertTrue(marked > 0, name + ": some BatchNorm feeds one convolution alone");
        }
        TorchBatchNorm bottleneckBn2 = (TorchBatchNorm) layerOf(EmbeddingNetwork.configuration(
                Recipe.builder().model("resnet50").embeddingSize(8).numClasses(3).build(),
                Backbones.create("resnet50"), DataType.FLOAT).getVertices().get("layer1_0_bn2"));
        assertTrue(bottleneckBn2.isReadByOneConvolution(), "a bottleneck's middle map goes to conv3 alone");
    }

    private static ComputationGraph network(boolean handoff) {
        ComputationGraphConfiguration conf = configuration();
        BatchNormFolding.markFoldable(conf);
        if (!handoff) {
            BATCH_NORMS.forEach(bn -> batchNorm(conf, bn).setReadByOneConvolution(false));
        }
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        return graph;
    }

    private static ComputationGraphConfiguration configuration() {
        // Channel counts are multiples of 16, so that oneDNN's blocked layout (nChw8c on AVX2, nChw16c on AVX-512)
        // holds exactly the NCHW floats and the maps may be handed over on either.
        GraphBuilder g = GraphFixtures.graph(DataType.FLOAT, 12, 3);
        g.addLayer("conv1", conv(3, 16, 3, 1, true).withoutInputGradient(), "input");
        g.addLayer("bn1", TorchBatchNorm.of(16, true).followedByRelu(), "conv1");
        g.addLayer("conv2", conv(16, 32, 3, 1, false), "bn1");
        g.addLayer("bn2", TorchBatchNorm.of(32, true).followedByRelu(), "conv2");
        g.addLayer("conv3", conv(32, 32, 1, 2, false), "bn2");
        g.addLayer("bn3", TorchBatchNorm.of(32, true), "conv3");
        g.addLayer("relu", new Relu(), "bn3");
        GraphFixtures.addHead(g, "relu", 32, 5);
        return g.build();
    }

    private static Object layerOf(GraphVertex vertex) {
        return vertex instanceof LayerVertex lv ? lv.getLayerConf().getLayer() : null;
    }

    private static boolean handedOver(ComputationGraph graph, String conv) {
        return ((OneDnnConvolutionImpl) graph.getLayer(conv)).handedOver();
    }
}
