package dev.proxyanchor.model.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxyanchor.model.EmbeddingNetwork;
import dev.proxyanchor.model.TestNetworks;
import dev.proxyanchor.model.UserInputException;
import dev.proxyanchor.model.recipe.Optimizer;
import dev.proxyanchor.model.recipe.Recipe;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;

class CheckpointRoundTripTest {

    @Test
    void configurationSurvivesJsonAndYaml() {
        Recipe recipe = TestNetworks.tinyRecipe().build();
        // As saved: DL4J's deserialiser decides BatchNorm's variance storage from the variables an initialised graph lists.
        ComputationGraphConfiguration conf = TestNetworks.tinyNetwork(recipe, DataType.FLOAT).getConfiguration();
        assertEquals(conf, ComputationGraphConfiguration.fromJson(conf.toJson()));
        assertEquals(conf, ComputationGraphConfiguration.fromYaml(conf.toYaml()));
    }

    @ParameterizedTest
    @EnumSource(Optimizer.class)
    void loadedCheckpointGivesIdenticalOutputsAndIdenticalNextStep(Optimizer optimizer) throws IOException {
        Recipe recipe = TestNetworks.tinyRecipe().optimizer(optimizer).warm(1).build();
        ComputationGraph graph = TestNetworks.tinyNetwork(recipe, DataType.FLOAT);
        for (int i = 0; i < 3; i++) {
            graph.fit(TestNetworks.batch(12, 3, i, DataType.FLOAT));
        }
        graph.getConfiguration().setEpochCount(1);
        graph.fit(TestNetworks.batch(12, 3, 5, DataType.FLOAT));
        TrainingState state = TrainingState.start(recipe).afterEpoch(0, 0.5);

        Checkpoint loaded = TestNetworks.roundTrip(new Checkpoint(graph, state));

        assertEquals(state, loaded.state());
        assertEquals(graph.params(), loaded.graph().params());
        assertEquals(graph.getUpdater().getStateViewArray(), loaded.graph().getUpdater().getStateViewArray());
        assertEquals(graph.getConfiguration().getEpochCount(), loaded.graph().getConfiguration().getEpochCount());
        DataSet probe = TestNetworks.batch(7, 3, 99, DataType.FLOAT);
        assertEquals(EmbeddingNetwork.embed(graph, probe.getFeatures()),
                EmbeddingNetwork.embed(loaded.graph(), probe.getFeatures()));

        DataSet next = TestNetworks.batch(12, 3, 6, DataType.FLOAT);
        graph.fit(next);
        loaded.graph().fit(next);
        assertEquals(graph.params(), loaded.graph().params(), "the step after loading differs");
        assertEquals(graph.getUpdater().getStateViewArray(), loaded.graph().getUpdater().getStateViewArray());
    }

    @Test
    void aTruncatedModelFileIsNamedAsTruncatedOrCorrupt() throws IOException {
        Recipe recipe = TestNetworks.tinyRecipe().build();
        Checkpoint checkpoint = new Checkpoint(TestNetworks.tinyNetwork(recipe, DataType.FLOAT),
                TrainingState.start(recipe));
        ByteArrayOutputStream model = new ByteArrayOutputStream();
        checkpoint.writeModel(model);
        ByteArrayOutputStream state = new ByteArrayOutputStream();
        checkpoint.writeState(state);
        byte[] cut = java.util.Arrays.copyOf(model.toByteArray(), model.size() * 2 / 3);

        UserInputException e = assertThrows(UserInputException.class, () -> Checkpoint.read(
                new ByteArrayInputStream(cut), new ByteArrayInputStream(state.toByteArray()), "runs/x/last"));

        assertTrue(e.getMessage().startsWith("cannot read the network of checkpoint runs/x/last (model.zip): the file "
                + "is truncated or corrupt ("), e.getMessage());
        assertTrue(e.getMessage().endsWith("use another checkpoint (a run's best/ and last/ are both complete)"),
                e.getMessage());
    }

    @Test
    void aValidationSplitRoundTripsAndARunWithoutOneWritesNoSplitField() throws IOException {
        Recipe recipe = TestNetworks.tinyRecipe().build();
        ComputationGraph graph = TestNetworks.tinyNetwork(recipe, DataType.FLOAT);
        ValidationSplit split = new ValidationSplit("0.4", List.of(0, 5), List.of(1, 2, 4));
        TrainingState state = TrainingState.start(recipe, split).afterEpoch(0, 0.75);

        assertEquals(state, TestNetworks.roundTrip(new Checkpoint(graph, state)).state());

        ByteArrayOutputStream without = new ByteArrayOutputStream();
        new Checkpoint(graph, TrainingState.start(recipe)).writeState(without);
        assertFalse(without.toString(java.nio.charset.StandardCharsets.UTF_8).contains("validationSplit"));
    }

    @Test
    void aSplitThatDoesNotCoverTheRecipesClassesIsRefused() {
        Recipe threeClasses = TestNetworks.tinyRecipe().build();
        assertThrows(IllegalArgumentException.class, () -> TrainingState.start(threeClasses,
                new ValidationSplit("2", List.of(0, 1), List.of(2, 3))));
        assertThrows(IllegalArgumentException.class, () -> new ValidationSplit("2", List.of(0, 2), List.of(1, 2, 3)));
    }

    @Test
    void checkpointOfAnotherArchitectureIsRefusedWithEveryDifferenceNamed() {
        ComputationGraph small = TestNetworks.tinyNetwork(TestNetworks.tinyRecipe().build(), DataType.FLOAT);
        ComputationGraph wider = TestNetworks.tinyNetwork(TestNetworks.tinyRecipe().embeddingSize(6).numClasses(4).build(),
                DataType.FLOAT);
        UserInputException e = assertThrows(UserInputException.class,
                () -> Checkpoint.requireSameParameters(small, wider, "runs/x/last"));
        assertTrue(e.getMessage().contains("embedding_W has shape [4, 6], expected [4, 5]"), e.getMessage());
        assertTrue(e.getMessage().contains("proxies_P has shape [4, 6], expected [3, 5]"), e.getMessage());
    }

    @Test
    void corruptModelFileIsReportedWithItsLocation() {
        UserInputException e = assertThrows(UserInputException.class, () -> Checkpoint.read(
                new ByteArrayInputStream(new byte[] {1, 2, 3}), new ByteArrayInputStream("{}".getBytes()), "runs/x/best"));
        assertTrue(e.getMessage().contains("runs/x/best"), e.getMessage());
    }

    @Test
    void stateFileCarriesItsFormatAndANewerFormatIsRefused() throws IOException {
        Recipe recipe = TestNetworks.tinyRecipe().build();
        Checkpoint checkpoint = new Checkpoint(TestNetworks.tinyNetwork(recipe, DataType.FLOAT),
                TrainingState.start(recipe));
        ByteArrayOutputStream model = new ByteArrayOutputStream();
        ByteArrayOutputStream state = new ByteArrayOutputStream();
        checkpoint.writeModel(model);
        checkpoint.writeState(state);
        String json = state.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(json.contains("\"format\" : " + Checkpoint.STATE_FORMAT), json);

        String newer = json.replace("\"format\" : " + Checkpoint.STATE_FORMAT,
                "\"format\" : " + (Checkpoint.STATE_FORMAT + 1));
        UserInputException e = assertThrows(UserInputException.class, () -> Checkpoint.read(
                new ByteArrayInputStream(model.toByteArray()), new ByteArrayInputStream(newer.getBytes()), "runs/x/last"));
        assertTrue(e.getMessage().contains("runs/x/last") && e.getMessage().contains("newer"), e.getMessage());
    }
}
