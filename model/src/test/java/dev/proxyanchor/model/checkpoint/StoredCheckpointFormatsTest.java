package dev.proxyanchor.model.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.proxyanchor.model.EmbeddingNetwork;
import dev.proxyanchor.model.TestNetworks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Every stored checkpoint format ({@link StoredCheckpoints}) still loads: the recipe it was trained with, the exact
 * parameters, the embeddings and score it gave, and (optimizer state included) the parameters one more step gives.
 * Outputs are compared to 1e-5, not bit for bit, so that faster kernels of later versions may round differently.
 */
class StoredCheckpointFormatsTest {

    private static final String STORE_PROPERTY = "proxyanchor.store-checkpoint-format";
    private static final double OUTPUT_TOLERANCE = 1e-5;

    static List<Path> formats() throws IOException {
        try (Stream<Path> folders = Files.list(StoredCheckpoints.FOLDER)) {
            return folders.filter(Files::isDirectory).sorted().toList();
        }
    }

    @Test
    void theFirstFormatIsStored() throws IOException {
        assertTrue(formats().stream().anyMatch(f -> f.getFileName().toString().equals("format-1")), "" + formats());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("formats")
    void storedCheckpointLoadsWithItsRecipeParametersOutputsAndOptimizerState(Path folder) throws IOException {
        Checkpoint loaded = StoredCheckpoints.read(folder);
        JsonNode expected = StoredCheckpoints.expected(folder);

        assertEquals(StoredCheckpoints.recipe(folder), loaded.state().recipe());
        assertEquals(1, loaded.state().epochsCompleted());
        assertEquals(0.5, loaded.state().bestRecallAt1());
        assertEquals(0, loaded.state().bestEpoch());
        assertEquals(StoredCheckpoints.format(folder) >= StoredCheckpoints.FIRST_FORMAT_WITH_SPLIT
                ? StoredCheckpoints.SPLIT : null, loaded.state().validationSplit());

        ComputationGraph graph = loaded.graph();
        Checkpoint.requireSameParameters(TestNetworks.tinyNetwork(loaded.state().recipe(), DataType.FLOAT), graph,
                folder.toString());
        assertArrayEquals(StoredCheckpoints.array(expected.get("params")).data().asFloat(),
                graph.params().dup('c').data().asFloat(), "parameters");

        DataSet probe = StoredCheckpoints.dataSet(expected.get("probe"));
        assertClose(StoredCheckpoints.array(expected.get("embeddings")),
                EmbeddingNetwork.embed(graph, probe.getFeatures()), "embeddings");
        assertEquals(expected.get("score").asDouble(), graph.score(probe, false), OUTPUT_TOLERANCE, "score");

        graph.fit(StoredCheckpoints.dataSet(expected.get("next_step")));
        assertClose(StoredCheckpoints.array(expected.get("params_after_next_step")), graph.params(),
                "parameters after one more step");
    }

    @Test
    @EnabledIfSystemProperty(named = STORE_PROPERTY, matches = "format-\\d+(-\\w+)?")
    void storeTheCurrentFormat() throws IOException {
        Path folder = StoredCheckpoints.FOLDER.resolve(System.getProperty(STORE_PROPERTY));
        assertFalse(Files.exists(folder), folder + " exists: a stored format is never regenerated");
        StoredCheckpoints.write(folder);
    }

    private static void assertClose(INDArray expected, INDArray actual, String what) {
        double diff = expected.castTo(DataType.DOUBLE).sub(actual.castTo(DataType.DOUBLE).reshape(expected.shape()))
                .amaxNumber().doubleValue();
        assertTrue(diff <= OUTPUT_TOLERANCE, what + " differ by " + diff);
    }
}
