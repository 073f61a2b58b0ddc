package dev.proxyanchor.spark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.proxyanchor.model.EmbeddingNetwork;
import dev.proxyanchor.model.checkpoint.Checkpoint;
import dev.proxyanchor.model.checkpoint.TrainingState;
import dev.proxyanchor.model.recipe.Recipe;
import dev.proxyanchor.spark.SparkTestSessions;
import dev.proxyanchor.spark.io.EmbeddingFormat;
import dev.proxyanchor.spark.io.RunDirectory;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code embed --output} in every registered format through {@link Main}, each read back by {@code evaluate}. */
class EmbedCommandTest {

    private static SparkSession spark;
    @TempDir
    static Path dir;
    private static Path data;
    private static Path run;
    private String err;

    /** A folder dataset in query/gallery mode of 28 x 28 grey JPEGs, and an untrained small_cnn checkpoint. */
    @BeforeAll
    static void fixtures() throws Exception {
        spark = SparkTestSessions.localTwo("EmbedCommandTest");
        data = dir.resolve("data");
        Random random = new Random(17);
        for (String role : List.of("train", "query", "gallery")) {
            for (String cls : role.equals("train") ? List.of("a", "b") : List.of("c", "d", "e")) {
                for (int i = 0; i < 3; i++) {
                    Path file = data.resolve(role).resolve(cls).resolve(i + ".jpg");
                    Files.createDirectories(file.getParent());
                    BufferedImage image = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
                    for (int y = 0; y < 28; y++) {
                        for (int x = 0; x < 28; x++) {
                            int shade = (cls.charAt(0) * 37 + (x < 14 == (cls.charAt(0) % 2 == 0) ? 90 : 0)) % 200;
                            image.getRaster().setSample(x, y, 0, shade + random.nextInt(40));
                        }
                    }
                    ImageIO.write(image, "jpg", file.toFile());
                }
            }
        }
        Recipe recipe = Recipe.builder().model("small_cnn").embeddingSize(8).numClasses(2).seed(1).build();
        run = dir.resolve("run");
        RunDirectory.at(run.toString(), new Configuration()).writeCheckpoint(RunDirectory.BEST,
                new Checkpoint(EmbeddingNetwork.create(recipe), TrainingState.start(recipe)));
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    private int run(String... args) {
        PrintStream old = System.err;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            return Main.run(args);
        } finally {
            System.setErr(old);
            err = bytes.toString(StandardCharsets.UTF_8);
        }
    }

    private int embed(String output, String... extra) {
        List<String> args = new ArrayList<>(List.of("embed", "--checkpoint", run.toString(), "--dataset", "folder",
                "--data-root", data.toString(), "--output", output));
        args.addAll(List.of(extra));
        return run(args.toArray(String[]::new));
    }

    private JsonNode evaluate(String name, String... embeddings) throws Exception {
        Path report = dir.resolve(name + ".json");
        List<String> args = new ArrayList<>(List.of("evaluate", "--k", "1,2,4", "--output", report.toString()));
        args.addAll(List.of(embeddings));
        assertEquals(0, run(args.toArray(String[]::new)), err);
        return new ObjectMapper().readTree(report.toFile());
    }

    @Test
    void everyOutputFormatIsReadBackByEvaluateWithTheSameMetrics() throws Exception {
        JsonNode expected = null;
        for (EmbeddingFormat format : EmbeddingFormat.values()) {
            String name = format.name().toLowerCase();
            JsonNode metrics;
            if (format.keepsRoles()) {
                String output = dir.resolve("both-" + name + format.extension()).toString();
                assertEquals(0, embed(output), err);
                metrics = evaluate(name, "--embeddings", output);
            } else {
                String queries = dir.resolve("q-" + name + format.extension()).toString();
                String gallery = dir.resolve("g-" + name + format.extension()).toString();
                assertEquals(0, embed(queries, "--role", "query"), err);
                assertEquals(0, embed(gallery, "--role", "gallery"), err);
                metrics = evaluate(name, "--embeddings", queries, "--gallery", gallery);
            }
            assertEquals("query-gallery", metrics.get("mode").asText(), format.toString());
            assertEquals(9, metrics.get("queries").asInt(), format.toString());
            assertEquals(9, metrics.get("gallery").asInt(), format.toString());
            if (expected == null) {
                expected = metrics;
            }
            assertEquals(expected.get("recall"), metrics.get("recall"), format.toString());
            assertEquals(expected.get("map_at_r"), metrics.get("map_at_r"), format.toString());
        }
    }

    @Test
    void aMatrixFormatRefusesSeveralRolesBeforeEmbeddingAnything() {
        Path output = dir.resolve("both.npy");

        assertEquals(2, embed(output.toString()));

        assertTrue(err.contains("query and gallery rows") && err.contains("--role query")
                && err.contains(".csv"), err);
        assertFalse(Files.exists(output));
    }

    @Test
    void anExistingOutputIsKeptWithoutOverwrite() throws Exception {
        Path output = dir.resolve("kept.csv");
        Files.writeString(output, "precious");

        assertEquals(2, embed(output.toString()));

        assertTrue(err.contains("already exists") && err.contains("--overwrite"), err);
        assertEquals("precious", Files.readString(output));
        assertEquals(0, embed(output.toString(), "--overwrite"), err);
        assertTrue(Files.readString(output).startsWith("id,path,label,role,e0,"));
    }
}
