package dev.proxyanchor.spark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench train} through the entry point on a tiny run: both paths (a child JVM, Spark parameter averaging in
 * {@code local[2]}) train and are timed, each as often as {@code --repeats} asks, and the JSON report carries the
 * fields the training-throughput issue names.
 */
class BenchTrainCommandTest {

    @Test
    void timesBothPathsAndWritesTheReport(@TempDir Path dir) throws Exception {
        System.setProperty("spark.master", "local[2]");
        Path report = dir.resolve("train.json");
        int code = Main.run("bench", "train", "--model", "small_cnn", "--batch-size", "8", "--warmup", "1",
                "--iterations", "2", "--averaging-frequency", "1", "--repeats", "2", "--output", report.toString());
        assertEquals(0, code);

        JsonNode json = new ObjectMapper().readTree(report.toFile());
        assertEquals("small_cnn", json.get("model").asText());
        assertEquals(8, json.get("batch_size").asInt());
        assertEquals(2, json.get("workers").asInt());
        assertEquals(1, json.get("bn_freeze").asInt(), "the official recipe's --bn-freeze 1 by default");
        assertEquals(2, json.get("one_jvm_runs_images_per_sec").size());
        assertEquals(2, json.get("spark_local_runs_images_per_sec").size());
        for (String positive : new String[] {"one_jvm_images_per_sec", "spark_local_images_per_sec"}) {
            assertTrue(json.get(positive).asDouble() > 0, positive + " in " + json);
        }
        double best = Math.max(json.get("one_jvm_runs_images_per_sec").get(0).asDouble(),
                json.get("one_jvm_runs_images_per_sec").get(1).asDouble());
        assertEquals(best, json.get("one_jvm_images_per_sec").asDouble(), "the report gives the best run");
        assertTrue(json.get("helpers").get("description").asText().contains("convolutions on oneDNN primitives"),
                json.toString());
    }

    @Test
    void oneJvmOnlyStartsNoSparkAndReportsOneRow(@TempDir Path dir) throws Exception {
        Path report = dir.resolve("train.json");
        int code = Main.run("bench", "train", "--model", "small_cnn", "--batch-size", "8", "--warmup", "1",
                "--iterations", "2", "--one-jvm-only", "--bn-freeze", "0", "--output", report.toString());
        assertEquals(0, code);

        JsonNode json = new ObjectMapper().readTree(report.toFile());
        assertEquals(0, json.get("bn_freeze").asInt());
        assertEquals(1, json.get("one_jvm_runs_images_per_sec").size());
        assertTrue(json.get("one_jvm_images_per_sec").asDouble() > 0, json.toString());
        assertTrue(json.get("spark_local_images_per_sec") == null, "no Spark row: " + json);
    }

    @Test
    void timesTheHeadOfTheLossItIsGiven(@TempDir Path dir) throws Exception {
        for (String loss : List.of("MS", "Proxy_NCA")) {
            Path report = dir.resolve(loss + ".json");
            assertEquals(0, Main.run("bench", "train", "--model", "small_cnn", "--loss", loss.toLowerCase(),
                    "--batch-size", "12", "--warmup", "1", "--iterations", "2", "--one-jvm-only",
                    "--output", report.toString()));
            JsonNode json = new ObjectMapper().readTree(report.toFile());
            assertEquals(loss, json.get("loss").asText());
            assertTrue(json.get("one_jvm_images_per_sec").asDouble() > 0, json.toString());
        }
        assertEquals(2, Main.run("bench", "train", "--loss", "ArcFace", "--one-jvm-only"));
        assertEquals(2, Main.run("bench", "train", "--loss", "Triplet", "--batch-size", "4", "--one-jvm-only"));
    }

    @Test
    void rejectsABnFreezeOtherThanZeroOrOne() {
        assertEquals(2, Main.run("bench", "train", "--bn-freeze", "2", "--one-jvm-only"));
    }

    @Test
    void rejectsANonPositiveRepeatCount() {
        assertEquals(2, Main.run("bench", "train", "--repeats", "0"));
    }
}
