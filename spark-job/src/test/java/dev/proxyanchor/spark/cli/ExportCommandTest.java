package dev.proxyanchor.spark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxyanchor.model.EmbeddingNetwork;
import dev.proxyanchor.model.backbones.Backbones;
import dev.proxyanchor.model.checkpoint.Checkpoint;
import dev.proxyanchor.model.checkpoint.TrainingState;
import dev.proxyanchor.model.pretrained.OfficialCheckpoint;
import dev.proxyanchor.model.pretrained.TorchCheckpointReader;
import dev.proxyanchor.model.pretrained.TorchCheckpointWriter;
import dev.proxyanchor.model.pretrained.TorchTensor;
import dev.proxyanchor.model.recipe.Recipe;
import dev.proxyanchor.spark.io.RunDirectory;
import dev.proxyanchor.spark.train.TrainingJob;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/** {@code export} through the entry point: the official format out, refusals, where the unused classifier is from. */
class ExportCommandTest {

    @TempDir
    Path dir;

    static ComputationGraph network(String model, long seed) {
        Recipe recipe = Recipe.builder().model(model).embeddingSize(16).numClasses(4).seed(seed).build();
        return EmbeddingNetwork.create(recipe, Backbones.create(model), DataType.FLOAT);
    }

    /** A run directory holding {@code graph} as its best/ checkpoint and a config.json naming its ImageNet file. */
    private Path run(String name, ComputationGraph graph, Recipe recipe, String pretrainedFile) throws Exception {
        Path run = dir.resolve(name);
        RunDirectory directory = RunDirectory.at(run.toString(), new Configuration());
        directory.writeCheckpoint(RunDirectory.BEST, new Checkpoint(graph, TrainingState.start(recipe)));
        directory.writeText(RunDirectory.CONFIG, "{\"" + TrainingJob.PRETRAINED_FILE_FIELD + "\": "
                + (pretrainedFile == null ? "null" : "\"" + pretrainedFile + "\"") + "}");
        return run;
    }

    @Test
    void exportsARunThatLoadsBackIdenticallyAndRefusesToOverwrite() throws Exception {
        Recipe recipe = Recipe.builder().model("small_cnn").embeddingSize(16).numClasses(4).seed(1).build();
        ComputationGraph graph = network("small_cnn", 1);
        Path run = run("run", graph, recipe, null);
        Path pth = dir.resolve("exported.pth");

        MainRun first = MainRun.of("export", "--checkpoint", run.toString(), "--output", pth.toString());
        assertEquals(0, first.code(), first.err());
        assertTrue(first.out().contains("wrote file:" + pth), first.out());
        assertTrue(first.out().contains("embedding_size=16"), first.out());
        ComputationGraph loaded = network("small_cnn", 2);
        OfficialCheckpoint.load(loaded, Backbones.create("small_cnn"), pth);
        assertEquals(graph.getParam("block1_conv_W"), loaded.getParam("block1_conv_W"));
        assertEquals(graph.getParam("embedding_W"), loaded.getParam("embedding_W"));

        long size = Files.size(pth);
        MainRun again = MainRun.of("export", "--checkpoint", run.toString(), "--output", pth.toString());
        assertEquals(2, again.code());
        assertTrue(again.err().contains(pth + " already exists; choose another output or pass --overwrite"),
                again.err());
        assertEquals(size, Files.size(pth), "the existing file is kept");

        MainRun overwritten = MainRun.of("export", "--checkpoint", run.resolve("best").toString(), "--output",
                pth.toString(),
                "--overwrite");
        assertEquals(0, overwritten.code(), overwritten.err());
        try (var files = Files.list(dir)) {
            assertEquals(0, files.filter(f -> f.getFileName().toString().endsWith(".tmp")).count(), "no leftovers");
        }
    }

    @Test
    void theClassifierComesFromTheRunsImageNetFileOrIsInitialised() throws Exception {
        Recipe recipe = Recipe.builder().model("resnet18").embeddingSize(16).numClasses(4).seed(1).build();
        ComputationGraph graph = network("resnet18", 1);
        Path imagenet = dir.resolve("resnet18-f37072fd.pth");
        Map<String, TorchTensor> source = new LinkedHashMap<>(
                OfficialCheckpoint.stateDict(network("resnet18", 5), Backbones.create("resnet18"), null));
        float[] classifier = new float[1000 * 512];
        Arrays.fill(classifier, 0.5f);
        source.put("model.fc.weight", new TorchTensor(TorchTensor.FLOAT, new long[] {1000, 512}, classifier));
        try (OutputStream out = Files.newOutputStream(imagenet)) {
            TorchCheckpointWriter.write(source, null, out);
        }

        Path withSource = run("with", graph, recipe, imagenet.toUri().toString());
        MainRun exported = MainRun.of("export", "--checkpoint", withSource.toString(), "--output",
                dir.resolve("a.pth").toString());
        assertEquals(0, exported.code(), exported.err());
        assertTrue(exported.out().contains("model.fc.* 2, *.num_batches_tracked 20 from "
                + imagenet.toUri()), exported.out());
        Map<String, TorchTensor> written = TorchCheckpointReader.read(dir.resolve("a.pth"));
        assertEquals(0.5f, written.get("model.fc.weight").values()[7]);

        Path gone = run("gone", graph, recipe, dir.resolve("missing.pth").toUri().toString());
        MainRun initialised = MainRun.of("export", "--checkpoint", gone.toString(), "--output",
                dir.resolve("b.pth").toString());
        assertEquals(0, initialised.code(), initialised.err());
        assertTrue(initialised.out().contains("model.fc.* 2, *.num_batches_tracked 20 initialised as"
                + " PyTorch does"), initialised.out());
        assertNotEquals(0.5f, TorchCheckpointReader.read(dir.resolve("b.pth")).get("model.fc.weight").values()[7]);

        MainRun explicit = MainRun.of("export", "--checkpoint", gone.toString(), "--output",
                dir.resolve("c.pth").toString(),
                "--classifier-from", imagenet.toString());
        assertTrue(explicit.out().contains("from " + imagenet), explicit.out());
    }
}
