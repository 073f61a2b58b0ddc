package dev.proxyanchor.spark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench knn} through the entry point on a small set: the Spark pass and the flat baseline agree, and the
 * report carries the figures the kNN issue asks for (wall times, GEMM rate against the measured peak, memory).
 */
class BenchKnnCommandTest {

    @Test
    void reportsBothSearchesWithTheSameNeighboursAndTheGemmRateAgainstThePeak(@TempDir Path dir) throws Exception {
        System.setProperty("spark.master", "local[2]");
        Path report = dir.resolve("knn.json");
        int code = Main.run("bench", "knn", "--n", "3000", "--dim", "64", "--k", "50", "--query-block-rows", "256",
                "--gallery-block-rows", "512", "--output", report.toString());
        assertEquals(0, code);

        JsonNode json = new ObjectMapper().readTree(report.toFile());
        assertTrue(json.get("same_neighbours").asBoolean(), json.toString());
        assertEquals(50, json.get("k").asInt());
        assertEquals(2, json.get("task_slots").asInt());
        for (String positive : new String[] {"spark_seconds", "baseline_seconds", "spark_gemm_gflops",
                "measured_sgemm_peak_gflops", "measured_sgemm_peak_one_thread_gflops", "spark_peak_heap_mib"}) {
            assertTrue(json.get(positive).asDouble() > 0, positive + " in " + json);
        }
    }
}
