package dev.proxyanchor.spark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.proxyanchor.datasets.FashionMnist;
import dev.proxyanchor.model.EmbeddingNetwork;
import dev.proxyanchor.model.backbones.Backbones;
import dev.proxyanchor.model.checkpoint.Checkpoint;
import dev.proxyanchor.model.pretrained.OfficialCheckpoint;
import dev.proxyanchor.model.recipe.Recipe;
import dev.proxyanchor.spark.train.TrainingJob;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** {@code train --init-from FILE.pth}: fine-tuning starts from the official checkpoint's backbone and embedding. */
class TrainInitFromTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void fashionMnistInstalled() {
        assumeTrue(Files.isDirectory(Path.of(new FashionMnist().defaultRoot())),
                "Fashion-MNIST is not installed: run submit/setup-debian.sh");
        System.setProperty("spark.master", "local[2]");
    }

    @Test
    void aWarmUpEpochFromAnOfficialCheckpointKeepsItsBackbone() throws Exception {
        Recipe recipe = Recipe.builder().model("small_cnn").embeddingSize(32).numClasses(5).seed(21).build();
        ComputationGraph start = EmbeddingNetwork.create(recipe, Backbones.create("small_cnn"), DataType.FLOAT);
        Path pth = dir.resolve("official.pth");
        try (OutputStream out = Files.newOutputStream(pth)) {
            OfficialCheckpoint.write(start, Backbones.create("small_cnn"), null, out);
        }
        Path run = dir.resolve("run");
        assertEquals(0, Main.run("train", "--dataset", "fmnist", "--model", "small_cnn", "--embedding-size", "32",
                "--batch-size", "64", "--epochs", "1", "--warm", "1", "--bn-freeze", "1", "--train-limit", "256",
                "--eval-limit", "100", "--workers", "2", "--init-from", pth.toString(), "--output", run.toString()));

        Map<String, INDArray> trained;
        try (var model = Files.newInputStream(run.resolve("last").resolve(Checkpoint.MODEL_FILE));
             var state = Files.newInputStream(run.resolve("last").resolve(Checkpoint.STATE_FILE))) {
            trained = Checkpoint.read(model, state, run.toString()).graph().paramTable();
        }
        start.paramTable().forEach((key, value) -> {
            if (key.startsWith("block")) {
                assertEquals(value, trained.get(key), key + ": the warm-up epoch trains the head only");
            }
        });
        assertNotEquals(start.getParam("embedding_W"), trained.get("embedding_W"), "the embedding trained");
        JsonNode config = new ObjectMapper().readTree(run.resolve("config.json").toFile());
        assertEquals("file:" + pth, config.get(TrainingJob.INIT_FROM_FIELD).asText());
        assertTrue(config.get(TrainingJob.PRETRAINED_FILE_FIELD).isNull(), config.toString());
    }

    @Test
    void initFromAndResumeAreRefusedTogether() {
        MainRun both = MainRun.of("train", "--dataset", "fmnist", "--model", "small_cnn", "--resume",
                "--init-from", dir.resolve("x.pth").toString(), "--output", dir.resolve("run").toString());
        assertEquals(2, both.code());
        assertTrue(both.err().contains("--init-from starts a new run"), both.err());
    }
}
