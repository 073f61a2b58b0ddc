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
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Residual sums adding maps in oneDNN's own layout (see {@link ResidualReluImpl}) against the same network keeping
 * them in NCHW: loss, every gradient and inference output identical to the last bit. Two stages as in a ResNet:
 * sumA (a block with a downsampling shortcut) and sumB (an identity block) hand over to the next stage's two
 * convolutions; sumC, read by the pooling layer, keeps NCHW.
 */
class ResidualHandoffTest {

    private static final int BATCH = 3;
    private static final List<String> BATCH_NORMS = List.of("bn0", "bnA1", "bnA2", "bnA3", "bnD", "bnB1", "bnB2",
            "bnB3", "bnC1", "bnC2", "bnC3", "bnD2");

    @Test
    void sumsInOneDnnLayoutGiveTheNchwNetworksLossAndGradientsExactly() {
        ComputationGraph nchw = network(false);
        ComputationGraph handoff = network(true);
        Nd4j.getRandom().setSeed(7);
        INDArray x = GraphFixtures.assertTrainAlike(nchw, handoff, BATCH_NORMS, BATCH, 5, step -> {
            // Step 0 folds each BatchNorm into its convolution, step 1 links the folded writers to their sums.
            boolean linked = step >= 2;
            assertEquals(linked, handedOver(handoff, "sumA"), "sumA hands over at step " + step);
            assertEquals(linked, handedOver(handoff, "sumB"), "sumB hands over at step " + step);
            assertFalse(handedOver(handoff, "sumC"), "sumC is read by the pooling layer");
            assertFalse(handedOver(nchw, "sumA") || handedOver(nchw, "sumB"), "unmarked network, step " + step);
        });
        GraphFixtures.assertInferenceAlike(nchw, handoff, x, () -> handedOver(handoff, "sumB"));
    }

    @Test
    void marksTheSumsWhoseReadersAndInputsAllTakeOneDnnLayout() {
        ComputationGraphConfiguration conf = configuration();
        BatchNormFolding.markFoldable(conf);
        assertEquals(2, sum(conf, "sumA").getHandoffReaders(), "read by conv B1 and sumB");
        assertEquals(2, sum(conf, "sumB").getHandoffReaders(), "read by conv C1 and the downsampling conv");
        assertEquals(0, sum(conf, "sumC").getHandoffReaders(), "read by the pooling layer");
        for (String bn : List.of("bnA3", "bnD", "bnB3")) {
            assertTrue(batchNorm(conf, bn).isReadByOneResidualSum(), bn);
        }
        for (String bn : List.of("bnC3", "bnD2", "bnA2", "bn0")) {
            assertFalse(batchNorm(conf, bn).isReadByOneResidualSum(), bn);
        }

        ComputationGraphConfiguration resnet = EmbeddingNetwork.configuration(
                Recipe.builder().model("resnet50").embeddingSize(8).numClasses(3).build(),
                Backbones.create("resnet50"), DataType.FLOAT);
        assertEquals(2, sum(resnet, "layer1_0_relu").getHandoffReaders());
        assertEquals(2, sum(resnet, "layer3_5_relu").getHandoffReaders(), "read by layer4's first block");
        assertEquals(0, sum(resnet, "layer4_0_relu").getHandoffReaders(), "layer4's sums lead to the pooling");
        assertTrue(batchNorm(resnet, "layer2_0_downsample_1").isReadByOneResidualSum());
        assertFalse(batchNorm(resnet, "layer4_2_bn3").isReadByOneResidualSum());
    }

    private static ComputationGraph network(boolean handoff) {
        ComputationGraphConfiguration conf = configuration();
        BatchNormFolding.markFoldable(conf);
        if (!handoff) {
            BATCH_NORMS.forEach(bn -> batchNorm(conf, bn).setReadByOneResidualSum(false));
            List.of("sumA", "sumB", "sumC").forEach(s -> sum(conf, s).setHandoffReaders(0));
        }
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        return graph;
    }

    private static ComputationGraphConfiguration configuration() {
        GraphBuilder g = GraphFixtures.graph(DataType.FLOAT, 12, 3);
        g.addLayer("conv0", conv(3, 8, 3, 1, false).withoutInputGradient(), "input");
        g.addLayer("bn0", TorchBatchNorm.of(8, true).followedByRelu(), "conv0");
        String a = bottleneck(g, "A", "bn0", 8, 1);
        g.addLayer("convD", conv(8, 16, 1, 1, false), "bn0");
        g.addLayer("bnD", TorchBatchNorm.of(16, true), "convD");
        g.addVertex("sumA", new ResidualRelu(), a, "bnD");
        g.addVertex("sumB", new ResidualRelu(), bottleneck(g, "B", "sumA", 16, 1), "sumA");
        String c = bottleneck(g, "C", "sumB", 16, 2);
        g.addLayer("convD2", conv(16, 16, 1, 2, false), "sumB");
        g.addLayer("bnD2", TorchBatchNorm.of(16, true), "convD2");
        g.addVertex("sumC", new ResidualRelu(), c, "bnD2");
        GraphFixtures.addHead(g, "sumC", 16, 5);
        return g.build();
    }

    /** conv 1x1 -> BN + ReLU -> conv 3x3 (stride) -> BN + ReLU -> conv 1x1 to 16 channels -> BN; returns the last. */
    private static String bottleneck(GraphBuilder g, String block, String input, int in, int stride) {
        g.addLayer("conv" + block + "1", conv(in, 8, 1, 1, false), input);
        g.addLayer("bn" + block + "1", TorchBatchNorm.of(8, true).followedByRelu(), "conv" + block + "1");
        g.addLayer("conv" + block + "2", conv(8, 8, 3, stride, false), "bn" + block + "1");
        g.addLayer("bn" + block + "2", TorchBatchNorm.of(8, true).followedByRelu(), "conv" + block + "2");
        g.addLayer("conv" + block + "3", conv(8, 16, 1, 1, false), "bn" + block + "2");
        g.addLayer("bn" + block + "3", TorchBatchNorm.of(16, true), "conv" + block + "3");
        return "bn" + block + "3";
    }

    private static ResidualRelu sum(ComputationGraphConfiguration conf, String name) {
        return (ResidualRelu) conf.getVertices().get(name);
    }

    private static boolean handedOver(ComputationGraph graph, String sum) {
        return ((ResidualReluImpl) graph.getVertex(sum)).handedOver();
    }
}
