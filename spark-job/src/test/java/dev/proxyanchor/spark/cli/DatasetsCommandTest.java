package dev.proxyanchor.spark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.proxyanchor.datasets.FashionMnist;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code datasets describe} through the entry point: one JSON object on stdout, or exit 2 with the reason. */
class DatasetsCommandTest {

    record Output(int code, String out, String err) {
    }

    private static Output run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true));
        System.setErr(new PrintStream(err, true));
        try {
            int code = Main.run(args);
            return new Output(code, out.toString(), err.toString());
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void describesFashionMnistWithTheSeenClassesRole() throws Exception {
        assumeTrue(Files.isDirectory(Path.of(new FashionMnist().defaultRoot())), "run submit/setup-debian.sh");
        Output o = run("datasets", "describe", "--dataset", "FMNIST", "--eval-seen");
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
        Output o = run("datasets", "describe", "--dataset", "cub", "--data-root", dir.resolve("nowhere").toString());
        assertEquals(3, o.code());
        assertTrue(o.err().contains("nowhere"), o.err());
        assertTrue(!o.out().contains("{"), "no JSON on stdout: " + o.out());
    }
}
