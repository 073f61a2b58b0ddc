package dev.proxyanchor.model.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.proxyanchor.model.EmbeddingNetwork;
import dev.proxyanchor.model.TestNetworks;
import dev.proxyanchor.model.loss.Losses;
import dev.proxyanchor.model.recipe.Recipe;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The stored checkpoints of every released {@code training.json} format, kept under
 * {@code src/test/resources/checkpoint-formats/format-N/} so that later versions prove they still load them (as Spark
 * ML keeps {@code ml-models/kmeans-3.0.3/}). Each folder holds a run directory's checkpoint ({@code model.zip},
 * {@code training.json}) of the tiny small CNN and {@code expected.json}: a probe batch with the embeddings and score
 * the network gave it when written, and a training batch with the parameters one step on it led to.
 *
 * <p>When the format changes, or a loss is added, store it with
 * {@code mvn -o -pl model -am test -Dtest=StoredCheckpointFormatsTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dproxyanchor.store-checkpoint-format=format-N[-LOSS]}. An existing folder is never regenerated: it is the record of what
 * that version wrote.
 */
final class StoredCheckpoints {

    static final String EXPECTED_FILE = "expected.json";
    static final Path FOLDER = Paths.get("src/test/resources/checkpoint-formats");
    /** The validation split stored checkpoints of format 3 and later were written with. */
    static final ValidationSplit SPLIT = new ValidationSplit("2", List.of(1, 4), List.of(0, 2, 3));
    /** The first format that records a validation split. */
    static final int FIRST_FORMAT_WITH_SPLIT = 3;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private StoredCheckpoints() {
    }

    /**
     * The recipe a stored checkpoint was trained with: {@code format-N} folders hold Proxy-Anchor,
     * {@code format-N-<loss>} folders the named {@code --loss}.
     */
    static Recipe recipe(Path folder) {
        String name = folder.getFileName().toString();
        int dash = name.indexOf('-', "format-".length());
        String loss = dash < 0 ? Losses.PROXY_ANCHOR : name.substring(dash + 1);
        return TestNetworks.tinyRecipe().warm(1).loss(loss).build();
    }

    /** The N of a {@code format-N[-LOSS]} folder. */
    static int format(Path folder) {
        String name = folder.getFileName().toString().substring("format-".length());
        int dash = name.indexOf('-');
        return Integer.parseInt(dash < 0 ? name : name.substring(0, dash));
    }

    static DataSet probe() {
        return TestNetworks.batch(7, 3, 99, DataType.FLOAT);
    }

    static DataSet nextStep() {
        return TestNetworks.batch(12, 3, 6, DataType.FLOAT);
    }

    /** Trains the tiny network a few steps and writes its checkpoint and {@value #EXPECTED_FILE} into {@code folder}. */
    static void write(Path folder) throws IOException {
        Files.createDirectories(folder);
        Recipe recipe = recipe(folder);
        ComputationGraph graph = TestNetworks.tinyNetwork(recipe, DataType.FLOAT);
        for (int i = 0; i < 3; i++) {
            graph.fit(TestNetworks.batch(12, 3, i, DataType.FLOAT));
        }
        graph.getConfiguration().setEpochCount(1);
        graph.fit(TestNetworks.batch(12, 3, 5, DataType.FLOAT));
        Checkpoint checkpoint = new Checkpoint(graph, TrainingState.start(recipe, SPLIT).afterEpoch(0, 0.5));
        try (OutputStream out = Files.newOutputStream(folder.resolve(Checkpoint.MODEL_FILE))) {
            checkpoint.writeModel(out);
        }
        try (OutputStream out = Files.newOutputStream(folder.resolve(Checkpoint.STATE_FILE))) {
            checkpoint.writeState(out);
        }

        ObjectNode expected = JSON.createObjectNode();
        DataSet probe = probe();
        expected.set("probe", dataSet(probe));
        expected.set("embeddings", array(EmbeddingNetwork.embed(graph, probe.getFeatures())));
        expected.put("score", graph.score(probe, false));
        expected.set("params", array(graph.params()));
        DataSet step = nextStep();
        expected.set("next_step", dataSet(step));
        graph.fit(step);
        expected.set("params_after_next_step", array(graph.params()));
        JSON.writeValue(folder.resolve(EXPECTED_FILE).toFile(), expected);
    }

    static Checkpoint read(Path folder) throws IOException {
        try (InputStream model = Files.newInputStream(folder.resolve(Checkpoint.MODEL_FILE));
             InputStream state = Files.newInputStream(folder.resolve(Checkpoint.STATE_FILE))) {
            return Checkpoint.read(model, state, folder.toString());
        }
    }

    static JsonNode expected(Path folder) throws IOException {
        return JSON.readTree(folder.resolve(EXPECTED_FILE).toFile());
    }

    private static ObjectNode dataSet(DataSet data) {
        ObjectNode node = JSON.createObjectNode();
        node.set("features", array(data.getFeatures()));
        node.set("labels", array(data.getLabels()));
        return node;
    }

    static DataSet dataSet(JsonNode node) {
        return new DataSet(array(node.get("features")), array(node.get("labels")));
    }

    private static ObjectNode array(INDArray a) {
        ObjectNode node = JSON.createObjectNode();
        ArrayNode shape = node.putArray("shape");
        for (long s : a.shape()) {
            shape.add(s);
        }
        ArrayNode data = node.putArray("data");
        for (float v : a.castTo(DataType.FLOAT).dup('c').data().asFloat()) {
            data.add(v);
        }
        return node;
    }

    static INDArray array(JsonNode node) {
        long[] shape = new long[node.get("shape").size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = node.get("shape").get(i).asLong();
        }
        float[] data = new float[node.get("data").size()];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) node.get("data").get(i).asDouble();
        }
        return Nd4j.create(data, shape, 'c');
    }
}
