package dev.proxyanchor.model.layers;

import static dev.proxyanchor.model.layers.GraphFixtures.batchNorm;
import static dev.proxyanchor.model.layers.GraphFixtures.conv;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxyanchor.model.EmbeddingNetwork;
import dev.proxyanchor.model.backbones.Backbones;
import dev.proxyanchor.model.recipe.Recipe;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A BatchNorm on frozen statistics folded into the convolution before it ({@link BatchNormFolding}) against the same
 * network unfolded: DL4J's built-in path in float64 is the truth, and the folded float32 network must be as close to
 * it as the unfolded float32 one is required to be (1e-4 of the largest magnitude) in the loss, the output and every
 * parameter's gradient, conv weights and biases, gamma and beta included; the running statistics get no step. The
 * network covers a stem without input gradient, a biased and an unbiased convolution, a stride, BatchNorms with and
 * without the fused ReLU, and a folded pair inside a residual sum.
 */
class BatchNormFoldingTest {

    private static final int BATCH = 4;

    @ParameterizedTest(name = "frozen statistics: {0}")
    @ValueSource(booleans = {true, false})
    void foldedNetworkHasTheUnfoldedNetworksLossOutputAndGradients(boolean frozen) {
        ComputationGraph truth = network(frozen, DataType.DOUBLE, true);
        ComputationGraph folded = network(frozen, DataType.FLOAT, true);
        Nd4j.getRandom().setSeed(3);
        INDArray params = randomParams(truth);
        truth.setParams(params);
        folded.setParams(params.castTo(DataType.FLOAT));
        INDArray x = Nd4j.rand(DataType.DOUBLE, BATCH, 3, 10, 10).subi(0.5);
        INDArray y = Nd4j.randn(DataType.DOUBLE, BATCH, 5);

        Map<String, INDArray> expected = gradients(truth, x, y);
        for (int step = 0; step < 3; step++) {
            Map<String, INDArray> actual = gradients(folded, x.castTo(DataType.FLOAT), y.castTo(DataType.FLOAT));
            assertEquals(truth.score(), folded.score(), 1e-4 * Math.abs(truth.score()), "loss, step " + step);
            assertEquals(expected.keySet(), actual.keySet());
            double largest = expected.values().stream().mapToDouble(g -> g.amaxNumber().doubleValue()).max()
                    .orElseThrow();
            for (String param : expected.keySet()) {
                assertClose(expected.get(param), actual.get(param), largest, param + ", step " + step);
            }
            for (String conv : List.of("conv1", "conv2", "conv3", "conv4")) {
                assertEquals(frozen && step > 0, folded(folded, conv),
                        conv + " folded in training at step " + step + " (only on frozen statistics, once linked)");
            }
        }
        for (String bn : List.of("bn1", "bn2", "bn3", "bn4")) {
            for (String stat : List.of(BatchNormalizationParamInitializer.GLOBAL_MEAN,
                    BatchNormalizationParamInitializer.GLOBAL_VAR)) {
                if (frozen) {
                    assertEquals(0.0, expected.get(bn + "_" + stat).amaxNumber().doubleValue(), bn + " " + stat);
                }
                assertClose(expected.get(bn + "_" + stat), folded.gradient().getGradientFor(bn + "_" + stat),
                        bn + " " + stat + " step");
            }
        }

        INDArray inference = folded.outputSingle(false, x.castTo(DataType.FLOAT));
        assertTrue(folded(folded, "conv1"), "inference always folds: BatchNorm uses its running statistics");
        assertClose(truth.outputSingle(false, x), inference, "inference output");
    }

    @Test
    void marksOnlyBatchNormsThatAloneReadAConvolution() {
        ComputationGraphConfiguration conf = configuration(true, DataType.FLOAT);
        BatchNormFolding.markFoldable(conf);
        for (String bn : List.of("bn1", "bn2", "bn3", "bn4")) {
            assertTrue(batchNorm(conf, bn).isFoldable(), bn);
        }

        GraphBuilder shared = GraphFixtures.graph(DataType.FLOAT, 10, 3);
        shared.addLayer("conv", conv(3, 4, 3, 1, true), "input");
        shared.addLayer("bn", TorchBatchNorm.of(4, true), "conv");
        shared.addVertex("sum", new ElementWiseVertex(ElementWiseVertex.Op.Add), "bn", "conv");
        shared.addLayer("bn_of_sum", TorchBatchNorm.of(4, true), "sum");
        GraphFixtures.addHead(shared, "bn_of_sum", 4, 5);
        ComputationGraphConfiguration sharedConf = shared.build();
        BatchNormFolding.markFoldable(sharedConf);
        assertFalse(batchNorm(sharedConf, "bn").isFoldable(), "the convolution's output is also read by the sum");
        assertFalse(batchNorm(sharedConf, "bn_of_sum").isFoldable(), "reads a vertex, not a convolution");
    }

    @Test
    void everyBackboneBatchNormIsMarkedFoldable() {
        for (String name : Backbones.names()) {
            Recipe recipe = Recipe.builder().model(name).embeddingSize(8).numClasses(3).build();
            ComputationGraphConfiguration conf = EmbeddingNetwork.configuration(recipe, Backbones.create(name),
                    DataType.FLOAT);
            int batchNorms = 0;
            for (Map.Entry<String, org.deeplearning4j.nn.conf.graph.GraphVertex> v : conf.getVertices().entrySet()) {
                if (v.getValue() instanceof org.deeplearning4j.nn.conf.graph.LayerVertex lv
                        && lv.getLayerConf().getLayer() instanceof TorchBatchNorm bn) {
                    assertTrue(bn.isFoldable(), name + " " + v.getKey());
                    batchNorms++;
                }
            }
            assertTrue(batchNorms > 0, name);
        }
    }

    @Test
    void unmarkedNetworkNeverFolds() {
        ComputationGraph plain = new ComputationGraph(configuration(true, DataType.FLOAT));
        plain.init();
        INDArray x = Nd4j.rand(DataType.FLOAT, BATCH, 3, 10, 10);
        INDArray y = Nd4j.randn(DataType.FLOAT, BATCH, 5);
        gradients(plain, x, y);
        gradients(plain, x, y);
        assertFalse(folded(plain, "conv1"));
    }

    /**
     * conv1 (stem, 3x3, bias) -> bn1 + ReLU -> conv2 (1x1/2, no bias) -> bn2 + ReLU -> conv3 (3x3, no bias) -> bn3,
     * plus conv4 (1x1, bias) -> bn4 of conv2's BatchNorm; relu(bn3 + bn4) -> GAP + GMP -> dense -> MSE.
     */
    private static ComputationGraph network(boolean frozen, DataType type, boolean mark) {
        ComputationGraphConfiguration conf = configuration(frozen, type);
        if (mark) {
            BatchNormFolding.markFoldable(conf);
        }
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        return graph;
    }

    private static ComputationGraphConfiguration configuration(boolean frozen, DataType type) {
        GraphBuilder g = GraphFixtures.graph(type, 10, 3);
        g.addLayer("conv1", conv(3, 6, 3, 1, true).withoutInputGradient(), "input");
        g.addLayer("bn1", TorchBatchNorm.of(6, frozen).followedByRelu(), "conv1");
        g.addLayer("conv2", conv(6, 8, 1, 2, false), "bn1");
        g.addLayer("bn2", TorchBatchNorm.of(8, frozen).followedByRelu(), "conv2");
        g.addLayer("conv3", conv(8, 8, 3, 1, false), "bn2");
        g.addLayer("bn3", TorchBatchNorm.of(8, frozen), "conv3");
        g.addLayer("conv4", conv(8, 8, 1, 1, true), "bn2");
        g.addLayer("bn4", TorchBatchNorm.of(8, frozen), "conv4");
        g.addVertex("add", new ElementWiseVertex(ElementWiseVertex.Op.Add), "bn3", "bn4");
        g.addLayer("relu", new Relu(), "add");
        GraphFixtures.addHead(g, "relu", 8, 5);
        return g.build();
    }

    private static INDArray randomParams(ComputationGraph graph) {
        return GraphFixtures.randomParams(graph, List.of("bn1", "bn2", "bn3", "bn4"), DataType.DOUBLE);
    }

    /** Loss and gradients of one forward and backward pass, by parameter name (float64 copies). */
    private static Map<String, INDArray> gradients(ComputationGraph graph, INDArray x, INDArray y) {
        return GraphFixtures.gradients(graph, x, y, DataType.DOUBLE);
    }

    private static boolean folded(ComputationGraph graph, String conv) {
        return ((OneDnnConvolutionImpl) graph.getLayer(conv)).foldedOutput() != null;
    }

    /** float32 against float64: max |difference| within 1e-4 of the reference's largest magnitude. */
    private static void assertClose(INDArray expected, INDArray actual, String what) {
        assertClose(expected, actual, 0, what);
    }

    /**
     * As {@link #assertClose(INDArray, INDArray, String)}, the magnitude at least a hundredth of {@code largest}
     * (the network's largest gradient): a gradient that is zero in exact arithmetic, such as a convolution bias's in
     * front of a BatchNorm on batch statistics, is float32 rounding noise of the others.
     */
    private static void assertClose(INDArray expected, INDArray actual, double largest, String what) {
        assertNotNull(actual, what);
        assertEquals(expected.length(), actual.length(), what);
        double scale = Math.max(Math.max(1e-6, 1e-2 * largest), expected.amaxNumber().doubleValue());
        double diff = expected.reshape(-1).sub(actual.dup().reshape(-1).castTo(DataType.DOUBLE)).amaxNumber()
                .doubleValue();
        assertTrue(diff <= 1e-4 * scale, what + ": max |diff| " + diff + " vs max |value| " + scale);
    }
}
