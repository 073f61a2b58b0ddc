package dev.proxyanchor.spark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.proxyanchor.datasets.FashionMnist;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code datasets describe} through the entry point: one JSON object on stdout, or exit 2 with the reason. */
class DatasetsCommandTest {

    @Test
    void describesFashionMnistWithTheSeenClassesRole() throws Exception {
        assumeTrue(Files.isDirectory(Path.of(new FashionMnist().defaultRoot())), "run submit/setup-debian.sh");
        MainRun o = MainRun.of("datasets", "describe", "--dataset", "FMNIST", "--eval-seen");
        assertEquals(0, o.code(), o.err());
        JsonNode json = new ObjectMapper().readTree(o.out());
        assertEquals(5, json.get("train_classes").asInt());
        assertEquals("self", json.get("eval_mode").asText());
        assertEquals(30000, json.get("roles").get("train").get("images").asInt());
        assertEquals(5000, json.get("roles").get("eval_seen").get("images").asInt());
        assertEquals(32, json.get("recall_k").get(5).asInt());
    }

    @Test
    void aMissingRootExitsThreeNamingIt(@TempDir Path dir) {
        MainRun o = MainRun.of("datasets", "describe", "--dataset", "cub", "--data-root", dir.resolve("nowhere").toString());
        assertEquals(3, o.code());
        assertTrue(o.err().contains("nowhere"), o.err());
        assertTrue(!o.out().contains("{"), "no JSON on stdout: " + o.out());
    }
}
