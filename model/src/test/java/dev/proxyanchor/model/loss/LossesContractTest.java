package dev.proxyanchor.model.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxyanchor.model.EmbeddingNetwork;
import dev.proxyanchor.model.GradientChecks;
import dev.proxyanchor.model.TestNetworks;
import dev.proxyanchor.model.UserInputException;
import dev.proxyanchor.model.checkpoint.Checkpoint;
import dev.proxyanchor.model.checkpoint.TrainingState;
import dev.proxyanchor.model.recipe.Recipe;
import java.io.IOException;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;

/**
 * What every {@code --loss} of the registry must do inside the network: its configuration survives JSON (as
 * checkpoints and Spark's broadcast carry it), DL4J's float64 gradient check passes over the whole small graph with
 * it, and a checkpoint of a network trained with it reloads with the loss, the same parameters and the same next step.
 */
class LossesContractTest {

    static List<String> losses() {
        return Losses.names();
    }

    private static Recipe recipe(String loss) {
        return TestNetworks.tinyRecipe().loss(loss).warm(0).build();
    }

    /** 8 images of 3 classes (3, 3 and 2 of each), so that every pair-based loss finds positives. */
    private static DataSet batch(long seed, DataType type) {
        return TestNetworks.batch(8, 3, seed, type);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("losses")
    void configurationWithTheLossSurvivesJson(String loss) {
        ComputationGraphConfiguration conf = TestNetworks.tinyNetwork(recipe(loss), DataType.FLOAT).getConfiguration();
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(conf.toJson());
        assertEquals(conf, back);
        LossLayer lossLayer = (LossLayer) ((LayerVertex) back.getVertices().get(EmbeddingNetwork.LOSS))
                .getLayerConf().getLayer();
        assertEquals(recipe(loss).lossFunction(), lossLayer.getLossFn());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("losses")
    void analyticGradientsOfTheWholeGraphMatchNumericalOnes(String loss) {
        GradientChecks.inDoublePrecision(() -> {
            ComputationGraph graph = GradientChecks.plainGradientGraph(EmbeddingNetwork.configuration(
                    recipe(loss).toBuilder().bnFreeze(false).build(), TestNetworks.tinyCnn(), DataType.DOUBLE));
            DataSet batch = batch(7, DataType.DOUBLE);
            assertTrue(graph.score(batch, true) > 0, "the check needs a batch with a non-zero loss");
            assertTrue(GradientChecks.agree(graph, batch), "gradient check failed (see the log)");
            return null;
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("losses")
    void checkpointReloadsWithTheLossTheParametersAndTheNextStep(String loss) throws IOException {
        Recipe recipe = recipe(loss);
        ComputationGraph graph = TestNetworks.tinyNetwork(recipe, DataType.FLOAT);
        for (int i = 0; i < 3; i++) {
            graph.fit(batch(i, DataType.FLOAT));
        }
        Checkpoint loaded = TestNetworks.roundTrip(new Checkpoint(graph, TrainingState.start(recipe).afterEpoch(0, 0.25)));

        assertEquals(loss, loaded.state().recipe().loss());
        assertEquals(recipe.lossFunction(), ((LossLayer) ((LayerVertex) loaded.graph().getConfiguration()
                .getVertices().get(EmbeddingNetwork.LOSS)).getLayerConf().getLayer()).getLossFn());
        assertEquals(graph.params(), loaded.graph().params());
        DataSet next = batch(9, DataType.FLOAT);
        graph.fit(next);
        loaded.graph().fit(next);
        assertEquals(graph.params(), loaded.graph().params(), "the step after loading differs");
    }

    @Test
    void theRegistryHoldsTheOfficialSixWithWhatEachNeeds() {
        assertEquals(List.of("Proxy_Anchor", "Proxy_NCA", "MS", "Contrastive", "Triplet", "NPair"), Losses.names());
        for (String name : Losses.names()) {
            LossEntry entry = Losses.get(name);
            boolean proxies = name.startsWith("Proxy_");
            assertEquals(proxies, entry.proxyHead().isPresent(), name + " proxies");
            assertEquals(!proxies, entry.pairBased(), name + " pair-based");
        }
        Recipe recipe = TestNetworks.tinyRecipe().lr(1e-3).proxyLrScale(100).build();
        assertEquals(100.0, Losses.get(Losses.PROXY_ANCHOR).proxyHead().orElseThrow().learningRateScale()
                .applyAsDouble(recipe));
        assertEquals(1.0, Losses.get(Losses.PROXY_NCA).proxyHead().orElseThrow().learningRateScale()
                .applyAsDouble(recipe));
        assertTrue(Losses.get(Losses.PROXY_ANCHOR).proxyHead().orElseThrow().clipped());
        assertTrue(!Losses.get(Losses.PROXY_NCA).proxyHead().orElseThrow().clipped());
    }

    @Test
    void unknownLossIsRefusedWithTheRegisteredNames() {
        UserInputException e = assertThrows(UserInputException.class, () -> Losses.get("ArcFace"));
        for (String name : Losses.names()) {
            assertTrue(e.getMessage().contains(name), e.getMessage());
        }
    }

    @Test
    void namesAreMatchedWithoutRegardToCase() {
        for (String name : Losses.names()) {
            assertEquals(name, Losses.get(name.toUpperCase(java.util.Locale.ROOT)).name());
        }
    }
}
