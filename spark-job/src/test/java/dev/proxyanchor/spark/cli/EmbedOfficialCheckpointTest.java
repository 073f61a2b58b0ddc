package dev.proxyanchor.spark.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.proxyanchor.datasets.FashionMnist;
import dev.proxyanchor.model.EmbeddingNetwork;
import dev.proxyanchor.model.backbones.Backbones;
import dev.proxyanchor.model.checkpoint.Checkpoint;
import dev.proxyanchor.model.checkpoint.TrainingState;
import dev.proxyanchor.model.pretrained.OfficialCheckpoint;
import dev.proxyanchor.model.recipe.Recipe;
import dev.proxyanchor.spark.SharedSpark;
import dev.proxyanchor.spark.io.EmbeddingParquet;
import dev.proxyanchor.spark.io.EmbeddingRecord;
import dev.proxyanchor.spark.io.RunDirectory;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * {@code embed --checkpoint FILE.pth --model M --embedding-size D}: an official PyTorch checkpoint embeds a dataset
 * exactly as the same network's checkpoint of this tool does, and the flags that do not fit are refused by name.
 */
class EmbedOfficialCheckpointTest {

    @TempDir
    static Path dir;
    static Path run;
    static Path pth;

    @BeforeAll
    static void sameNetworkTwice() throws Exception {
        assumeTrue(Files.isDirectory(Path.of(new FashionMnist().defaultRoot())),
                "Fashion-MNIST is not installed: run submit/setup-debian.sh");
        System.setProperty("spark.master", "local[2]");
        Recipe recipe = Recipe.builder().model("small_cnn").embeddingSize(16).numClasses(4).seed(9).build();
        ComputationGraph graph = EmbeddingNetwork.create(recipe, Backbones.create("small_cnn"), DataType.FLOAT);
        run = dir.resolve("run");
        RunDirectory.at(run.toString(), new Configuration())
                .writeCheckpoint(RunDirectory.BEST, new Checkpoint(graph, TrainingState.start(recipe)));
        pth = dir.resolve("official.pth");
        try (OutputStream out = Files.newOutputStream(pth)) {
            OfficialCheckpoint.write(graph, Backbones.create("small_cnn"), null, out);
        }
    }

    @Test
    void anOfficialCheckpointEmbedsAsTheSameNetworkDoes() {
        Path fromRun = dir.resolve("run.parquet");
        Path fromPth = dir.resolve("pth.parquet");
        assertEquals(0, Main.run("embed", "--checkpoint", run.toString(), "--dataset", "fmnist", "--output",
                fromRun.toString()));
        assertEquals(0, Main.run("embed", "--checkpoint", pth.toString(), "--model", "small_cnn", "--embedding-size",
                "16", "--dataset", "fmnist", "--output", fromPth.toString()));
        Map<Long, EmbeddingRecord> expected = read(fromRun);
        Map<Long, EmbeddingRecord> actual = read(fromPth);
        assertEquals(5000, expected.size());
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((id, record) -> assertArrayEquals(record.embedding(), actual.get(id).embedding(), "id " + id));
    }

    @Test
    void flagsThatDoNotFitTheCheckpointAreRefusedByName() {
        MainRun noModel = MainRun.of("embed", "--checkpoint", pth.toString(), "--dataset", "fmnist",
                "--output", dir.resolve("x.parquet").toString());
        assertEquals(2, noModel.code());
        assertTrue(noModel.err().contains("give --model and --embedding-size as it was trained with"), noModel.err());

        MainRun wrongSize = MainRun.of("embed", "--checkpoint", pth.toString(), "--model", "small_cnn",
                "--embedding-size", "8", "--dataset", "fmnist", "--output", dir.resolve("y.parquet").toString());
        assertEquals(3, wrongSize.code(), "a file that does not fit the flags is bad input data");
        assertTrue(wrongSize.err().contains("model.embedding.weight has shape [16, 64], expected [8, 64]"),
                wrongSize.err());
        assertTrue(wrongSize.err().contains("It looks like an official checkpoint of small_cnn with embedding size 16"),
                wrongSize.err());

        MainRun wrongModel = MainRun.of("embed", "--checkpoint", pth.toString(), "--model", "resnet18",
                "--embedding-size", "16", "--dataset", "fmnist", "--output", dir.resolve("z.parquet").toString());
        assertEquals(3, wrongModel.code());
        assertTrue(wrongModel.err().contains("does not fit --model resnet18"), wrongModel.err());

        MainRun runWithModel = MainRun.of("embed", "--checkpoint", run.toString(), "--model", "small_cnn",
                "--dataset", "fmnist", "--output", dir.resolve("w.parquet").toString());
        assertEquals(2, runWithModel.code());
        assertTrue(runWithModel.err().contains("is a directory, whose checkpoint records both"), runWithModel.err());
    }

    private static Map<Long, EmbeddingRecord> read(Path parquet) {
        List<EmbeddingRecord> records = EmbeddingParquet.read(SharedSpark.session(), parquet.toString()).collect();
        return records.stream().collect(Collectors.toMap(EmbeddingRecord::id, Function.identity()));
    }
}
