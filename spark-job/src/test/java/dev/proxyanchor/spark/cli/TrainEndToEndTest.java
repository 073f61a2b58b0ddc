package dev.proxyanchor.spark.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.proxyanchor.datasets.FashionMnist;
import dev.proxyanchor.model.checkpoint.Checkpoint;
import dev.proxyanchor.model.loss.Losses;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train} through the entry point in Spark local[2] on a Fashion-MNIST subset. */
class TrainEndToEndTest {

    @BeforeAll
    static void fashionMnistInstalled() {
        assumeTrue(Files.isDirectory(Path.of(new FashionMnist().defaultRoot())),
                "Fashion-MNIST is not installed: run submit/setup-debian.sh");
        System.setProperty("spark.master", "local[2]");
    }

    private static String[] args(Path out, int epochs, String... extra) {
        List<String> a = new ArrayList<>(List.of("train", "--dataset", "fmnist", "--model", "small_cnn",
                "--embedding-size", "32", "--batch-size", "64", "--lr", "1e-3", "--warm", "0", "--bn-freeze", "0",
                "--eval-seen", "--epochs", String.valueOf(epochs), "--train-limit", "1280", "--eval-limit", "400",
                "--averaging-frequency", "2", "--seed", "3", "--output", out.toString()));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    private static List<JsonNode> metrics(Path out) throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("metrics.jsonl"))) {
            lines.add(json.readTree(line));
        }
        return lines;
    }

    @Test
    void trainsResumesAndReproduces(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        assertEquals(0, Main.run(args(run, 2)));

        List<JsonNode> two = metrics(run);
        assertEquals(2, two.size());
        assertTrue(two.get(1).get("loss").asDouble() < two.get(0).get("loss").asDouble(), "loss did not decrease");
        JsonNode eval = two.get(1).get("eval");
        assertEquals(400, eval.get("queries").asInt());
        assertTrue(eval.get("recall").get("1").asDouble() > 0.5, "zero-shot R@1 " + eval.get("recall"));
        assertTrue(two.get(1).has("eval_seen"));
        for (String checkpoint : List.of("last", "best")) {
            assertTrue(Files.exists(run.resolve(checkpoint).resolve(Checkpoint.MODEL_FILE)), checkpoint);
        }
        assertTrue(Files.readString(run.resolve("config.json")).contains("\"batchSize\" : 64"));

        copy(run.resolve("best"), dir.resolve("run-epoch2-best").resolve("best"));
        Path embeddings = dir.resolve("eval.parquet");
        Path evaluation = dir.resolve("eval.json");
        assertEquals(0, Main.run("embed", "--checkpoint", dir.resolve("run-epoch2-best").toString(),
                "--dataset", "fmnist", "--output", embeddings.toString()));
        assertEquals(0, Main.run("evaluate", "--embeddings", embeddings.toString(), "--dataset", "fmnist",
                "--output", evaluation.toString()));
        JsonNode stored = new ObjectMapper().readTree(evaluation.toFile());
        assertEquals(10000 - 5000, stored.get("queries").asInt(), "every zero-shot test image embedded");
        assertTrue(stored.get("recall").get("1").asDouble() > 0.5, stored.toString());

        assertEquals(0, Main.run(args(run, 3, "--resume")));
        List<JsonNode> three = metrics(run);
        assertEquals(3, three.size());
        assertEquals(2, three.get(2).get("epoch").asInt(), "the resumed run continues at epoch 3");

        Path again = dir.resolve("again");
        assertEquals(0, Main.run(args(again, 2)));
        List<JsonNode> repeat = metrics(again);
        assertEquals(bestParams(run.resolveSibling("run-epoch2-best")), bestParams(again),
                "same seed and workers, different parameters");
        for (int e = 0; e < 2; e++) {
            // The epoch loss is a sum over tasks in completion order: equal up to the last bits.
            assertEquals(two.get(e).get("loss").asDouble(), repeat.get(e).get("loss").asDouble(), 1e-12,
                    "same seed and workers, different loss in epoch " + e);
            assertEquals(two.get(e).get("eval").get("recall"), repeat.get(e).get("eval").get("recall"));
            assertEquals(two.get(e).get("eval").get("map_at_r"), repeat.get(e).get("eval").get("map_at_r"));
        }
    }

    @Test
    void heldOutClassesAreEvaluatedAsValAndChooseBest(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        assertEquals(0, Main.run(args(run, 2, "--val-classes", "2")));

        JsonNode config = new ObjectMapper().readTree(run.resolve("config.json").toFile());
        JsonNode heldOut = config.get("validation").get("held_out_classes");
        assertEquals(2, heldOut.size(), config.toString());
        assertEquals(3, config.get("dataset").get("train_classes").asInt(), "proxies for the trained classes only");
        List<JsonNode> epochs = metrics(run);
        int bestEpoch = -1;
        double bestVal = -1;
        for (JsonNode epoch : epochs) {
            assertEquals(400, epoch.get("val").get("queries").asInt(), "--eval-limit applies to val too");
            assertTrue(epoch.has("eval") && epoch.has("eval_seen"), "the test sets are still reported");
            double r1 = epoch.get("val").get("recall").get("1").asDouble();
            if (r1 > bestVal) {
                bestVal = r1;
                bestEpoch = epoch.get("epoch").asInt();
            }
        }
        Checkpoint best = checkpoint(run, "best");
        assertEquals(bestEpoch, best.state().bestEpoch(), "best/ is the epoch of the highest val R@1");
        assertEquals(bestVal, best.state().bestRecallAt1());
        assertEquals(heldOut.toString(), best.state().validationSplit().heldOutClasses().toString().replace(" ", ""));
        assertArrayEquals(new long[] {3, 32}, best.graph().getParam("proxies_P").shape());

        Result changed = runCapturingErr(args(run, 3, "--val-classes", "3", "--resume"));
        assertEquals(2, changed.code);
        assertTrue(changed.err.contains("a run keeps its validation split: pass --val-classes 2 --seed 3"),
                changed.err);
        Result oneClass = runCapturingErr(args(dir.resolve("one"), 1, "--val-classes", "1"));
        assertEquals(2, oneClass.code);
        assertTrue(oneClass.err.contains("--val-classes 1: hold out at least 2 classes"), oneClass.err);
    }

    private static Checkpoint checkpoint(Path run, String name) throws Exception {
        try (var model = Files.newInputStream(run.resolve(name).resolve(Checkpoint.MODEL_FILE));
             var state = Files.newInputStream(run.resolve(name).resolve(Checkpoint.STATE_FILE))) {
            return Checkpoint.read(model, state, run.toString());
        }
    }

    private static org.nd4j.linalg.api.ndarray.INDArray bestParams(Path run) throws Exception {
        try (var model = Files.newInputStream(run.resolve("best").resolve(Checkpoint.MODEL_FILE));
             var state = Files.newInputStream(run.resolve("best").resolve(Checkpoint.STATE_FILE))) {
            return Checkpoint.read(model, state, run.toString()).graph().params();
        }
    }

    @Test
    void refusesToOverwriteARunAndNamesBadFlags(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        Files.createDirectories(run);
        Files.writeString(run.resolve("config.json"), "{}");
        assertEquals(2, runCapturingErr(args(run, 1)).code);
        assertTrue(runCapturingErr(args(run, 1)).err.contains("already holds a run"));

        Result unknown = runCapturingErr("train", "--output", run.toString(), "--learning-rate", "1");
        assertEquals(2, unknown.code);
        assertTrue(unknown.err.contains("--learning-rate"), unknown.err);

        Result badLoss = runCapturingErr(args(dir.resolve("x"), 1, "--loss", "ArcFace"));
        assertTrue(badLoss.err.contains("unknown --loss 'ArcFace'") && badLoss.err.contains(Losses.PROXY_ANCHOR),
                badLoss.err);
    }

    private static void copy(Path from, Path to) throws Exception {
        Files.createDirectories(to);
        try (var files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
    }

    record Result(int code, String err) {
    }

    private static Result runCapturingErr(String... args) {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true));
        try {
            int code = Main.run(args);
            return new Result(code, err.toString());
        } finally {
            System.setErr(old);
        }
    }
}
