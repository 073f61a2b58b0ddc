package dev.proxyanchor.model.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxyanchor.model.EmbeddingNetwork;
import dev.proxyanchor.model.TestNetworks;
import dev.proxyanchor.model.UserInputException;
import dev.proxyanchor.model.loss.Losses;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The official recipe's behaviours, observed on real training steps of the small CNN. */
class RecipeBehaviourTest {

    private static final double LR = 1e-3;

    @Test
    void warmUpTrainsOnlyEmbeddingAndProxiesThenEverything() {
        Recipe recipe = TestNetworks.tinyRecipe().lr(LR).warm(1).bnFreeze(true).build();
        ComputationGraph graph = TestNetworks.tinyNetwork(recipe, DataType.FLOAT);
        Map<String, INDArray> start = snapshot(graph);

        fitEpoch(graph, 0);
        Map<String, INDArray> afterWarm = snapshot(graph);
        for (String key : start.keySet()) {
            if (EmbeddingNetwork.groupOf(layerOf(key)) == ParameterGroup.BACKBONE) {
                assertEquals(start.get(key), afterWarm.get(key), key + " changed during the warm-up");
            } else {
                assertNotEquals(start.get(key), afterWarm.get(key), key + " did not train during the warm-up");
            }
        }

        fitEpoch(graph, 1);
        Map<String, INDArray> after = snapshot(graph);
        assertNotEquals(afterWarm.get("block1_conv_W"), after.get("block1_conv_W"), "the backbone stays frozen");
        assertNotEquals(afterWarm.get("block2_bn_gamma"), after.get("block2_bn_gamma"), "BN affine stays frozen");
        assertEquals(start.get("block1_bn_mean"), after.get("block1_bn_mean"), "--bn-freeze 1 keeps running statistics");
        assertEquals(start.get("block2_bn_var"), after.get("block2_bn_var"), "--bn-freeze 1 keeps running statistics");
    }

    @Test
    void bnFreezeWithoutWarmUpKeepsBatchNormAffineFrozenForTheWholeRun() {
        Recipe recipe = TestNetworks.tinyRecipe().lr(LR).warm(0).bnFreeze(true).build();
        ComputationGraph graph = TestNetworks.tinyNetwork(recipe, DataType.FLOAT);
        INDArray gamma = graph.getParam("block1_bn_gamma").dup();
        INDArray conv = graph.getParam("block1_conv_W").dup();
        fitEpoch(graph, 0);
        fitEpoch(graph, 5);
        assertEquals(gamma, graph.getParam("block1_bn_gamma"));
        assertNotEquals(conv, graph.getParam("block1_conv_W"));
    }

    @Test
    void withoutBnFreezeRunningStatisticsTrackTheBatches() {
        Recipe recipe = TestNetworks.tinyRecipe().lr(LR).warm(1).bnFreeze(false).build();
        ComputationGraph graph = TestNetworks.tinyNetwork(recipe, DataType.FLOAT);
        INDArray mean = graph.getParam("block1_bn_mean").dup();
        fitEpoch(graph, 0);
        assertNotEquals(mean, graph.getParam("block1_bn_mean"));
    }

    @Test
    void proxiesStepIsAHundredTimesTheEmbeddingStep() {
        Recipe recipe = TestNetworks.tinyRecipe().lr(LR).warm(0).weightDecay(0).build();
        ComputationGraph graph = TestNetworks.tinyNetwork(recipe, DataType.DOUBLE);
        Map<String, INDArray> before = snapshot(graph);
        graph.fit(TestNetworks.batch(12, 3, 1, DataType.DOUBLE));
        // Adam's first step moves every parameter with a non-negligible gradient by lr (g / (|g| + eps)).
        assertEquals(LR, maxStep(before, graph, "embedding_W"), LR * 1e-3);
        assertEquals(100 * LR, maxStep(before, graph, "proxies_P"), 100 * LR * 1e-3);
        assertEquals(LR, maxStep(before, graph, "block1_conv_W"), LR * 1e-3);
    }

    @Test
    void stepDecayLowersEveryGroupAtTheRightEpochs() {
        Recipe recipe = TestNetworks.tinyRecipe().lr(LR).lrDecayStep(10).lrDecayGamma(0.5).warm(2).build();
        assertEquals(0.0, recipe.learningRate(ParameterGroup.BACKBONE, 1));
        assertEquals(LR, recipe.learningRate(ParameterGroup.BACKBONE, 2));
        assertEquals(LR, recipe.learningRate(ParameterGroup.EMBEDDING, 9));
        assertEquals(LR * 0.5, recipe.learningRate(ParameterGroup.EMBEDDING, 10));
        assertEquals(100 * LR * 0.25, recipe.learningRate(ParameterGroup.PROXIES, 25), 1e-15);

        ComputationGraph graph = TestNetworks.tinyNetwork(recipe.toBuilder().weightDecay(0).build(), DataType.DOUBLE);
        graph.getConfiguration().setEpochCount(10);
        Map<String, INDArray> before = snapshot(graph);
        graph.fit(TestNetworks.batch(12, 3, 1, DataType.DOUBLE));
        assertEquals(LR * 0.5, maxStep(before, graph, "embedding_W"), LR * 1e-3);
        assertEquals(100 * LR * 0.5, maxStep(before, graph, "proxies_P"), 100 * LR * 1e-3);
        assertEquals(LR * 0.5, maxStep(before, graph, "block2_conv_W"), LR * 1e-3);
    }

    @Test
    void gradientsAreDividedByTheBatchThenClippedToTen() {
        double lr = 0.01;
        Recipe recipe = TestNetworks.tinyRecipe().optimizer(Optimizer.SGD).lr(lr).warm(0).weightDecay(0).build();
        ComputationGraph graph = TestNetworks.tinyNetwork(recipe, DataType.DOUBLE);
        int batch = 12;
        Gradient gradient = gradientOfOneBatch(graph, batch);
        INDArray proxies = gradient.getGradientFor("proxies_P");
        proxies.assign(0);
        proxies.putScalar(0, 0, 1000.0 * batch);
        proxies.putScalar(0, 1, -3.0 * batch);
        proxies.putScalar(1, 0, -50.0 * batch);

        graph.getUpdater().update(gradient, 0, 0, batch, LayerWorkspaceMgr.noWorkspaces());

        // First Nesterov SGD step with dampening 0: lr * (g + 0.9 g), g = clip(gradient / B, -10, 10).
        double proxyLr = 100 * lr;
        assertEquals(proxyLr * 1.9 * 10, proxies.getDouble(0, 0), 1e-12);
        assertEquals(proxyLr * 1.9 * -3, proxies.getDouble(0, 1), 1e-12);
        assertEquals(proxyLr * 1.9 * -10, proxies.getDouble(1, 0), 1e-12);
    }

    @Test
    void proxyNcaProxiesLearnAtTheBaseRateUnclippedDuringTheWarmUp() {
        double lr = 0.01;
        Recipe recipe = TestNetworks.tinyRecipe().loss(Losses.PROXY_NCA).optimizer(Optimizer.SGD).lr(lr).warm(1)
                .weightDecay(0).build();
        ComputationGraph graph = TestNetworks.tinyNetwork(recipe, DataType.DOUBLE);
        int batch = 12;
        Gradient gradient = gradientOfOneBatch(graph, batch);
        INDArray proxies = gradient.getGradientFor("proxies_P");
        proxies.assign(0);
        proxies.putScalar(0, 0, 1000.0 * batch);
        proxies.putScalar(1, 0, -3.0 * batch);

        graph.getUpdater().update(gradient, 0, 0, batch, LayerWorkspaceMgr.noWorkspaces());

        // Epoch 0 is the warm-up: the proxies train, at lr x 1, and their gradient is not clipped to 10.
        assertEquals(lr * 1.9 * 1000, proxies.getDouble(0, 0), 1e-12);
        assertEquals(lr * 1.9 * -3, proxies.getDouble(1, 0), 1e-12);
        assertEquals(List.of(ParameterGroup.BACKBONE, ParameterGroup.EMBEDDING, ParameterGroup.PROXIES),
                recipe.parameterGroups());
    }

    @Test
    void proxyNcaProxiesStartStandardNormalAndProxyAnchorsAtTwoOverC() {
        for (String loss : List.of(Losses.PROXY_NCA, Losses.PROXY_ANCHOR)) {
            Recipe recipe = TestNetworks.tinyRecipe().loss(loss).embeddingSize(64).numClasses(100).build();
            INDArray proxies = TestNetworks.tinyNetwork(recipe, DataType.DOUBLE).getParam("proxies_P");
            double expectedStd = loss.equals(Losses.PROXY_NCA) ? 1.0 : Math.sqrt(2.0 / 100);
            assertEquals(expectedStd, proxies.stdNumber().doubleValue(), 0.03 * expectedStd, loss);
            assertEquals(0.0, proxies.meanNumber().doubleValue(), 0.05 * expectedStd, loss);
        }
    }

    @Test
    void aLossWithoutProxiesHasNoProxiesLayerNorGroup() {
        Recipe recipe = TestNetworks.tinyRecipe().loss(Losses.MS).build();
        assertEquals(List.of(ParameterGroup.BACKBONE, ParameterGroup.EMBEDDING), recipe.parameterGroups());
        ComputationGraph graph = TestNetworks.tinyNetwork(recipe, DataType.FLOAT);
        assertTrue(graph.getConfiguration().getVertices().get(EmbeddingNetwork.PROXIES) == null);
        assertEquals(List.of(EmbeddingNetwork.EMBEDDING_NORMALISED),
                graph.getConfiguration().getVertexInputs().get(EmbeddingNetwork.LOSS));
    }

    @Test
    void badValuesAreRefusedWithTheFlagNamed() {
        assertFlagError("--lr", () -> Recipe.builder().numClasses(3).lr(-1).build());
        assertFlagError("--embedding-size", () -> Recipe.builder().numClasses(3).embeddingSize(0).build());
        assertFlagError("--warm", () -> Recipe.builder().numClasses(3).warm(-1).build());
        assertFlagError("--lr-decay-step", () -> Recipe.builder().numClasses(3).lrDecayStep(0).build());
        assertFlagError("--alpha", () -> Recipe.builder().numClasses(3).alpha(0).build());
        assertFlagError("--optimizer", () -> Optimizer.parse("adagrad"));
        assertEquals(Optimizer.ADAMW, Optimizer.parse("AdamW"));
    }

    private static Gradient gradientOfOneBatch(ComputationGraph graph, int batch) {
        graph.setInputs(TestNetworks.batch(batch, 3, 1, DataType.DOUBLE).getFeatures());
        graph.setLabels(TestNetworks.batch(batch, 3, 1, DataType.DOUBLE).getLabels());
        graph.computeGradientAndScore();
        return graph.gradient();
    }

    private static void assertFlagError(String flag, Runnable action) {
        UserInputException e = assertThrows(UserInputException.class, action::run);
        assertTrue(e.getMessage().contains(flag), e.getMessage());
    }

    private static void fitEpoch(ComputationGraph graph, int epoch) {
        graph.getConfiguration().setEpochCount(epoch);
        for (int i = 0; i < 3; i++) {
            graph.fit(TestNetworks.batch(12, 3, 10L * epoch + i, graph.getConfiguration().getDataType()));
        }
    }

    private static double maxStep(Map<String, INDArray> before, ComputationGraph graph, String key) {
        return graph.getParam(key).sub(before.get(key)).amaxNumber().doubleValue();
    }

    private static String layerOf(String paramKey) {
        return paramKey.substring(0, paramKey.lastIndexOf('_'));
    }

    private static Map<String, INDArray> snapshot(ComputationGraph graph) {
        Map<String, INDArray> copy = new LinkedHashMap<>();
        graph.paramTable().forEach((k, v) -> copy.put(k, v.dup()));
        return copy;
    }
}
