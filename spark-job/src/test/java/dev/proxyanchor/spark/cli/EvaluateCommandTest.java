package dev.proxyanchor.spark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.proxyanchor.spark.SparkTestSessions;
import dev.proxyanchor.spark.io.EmbeddingMetadata;
import dev.proxyanchor.spark.io.EmbeddingParquet;
import dev.proxyanchor.spark.io.EmbeddingRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code evaluate} end to end through {@link Main#run} in Spark local[2]. */
class EvaluateCommandTest {

    private static SparkSession spark;

    @TempDir
    Path dir;

    private String out;
    private String err;

    @BeforeAll
    static void startSpark() {
        spark = SparkTestSessions.localTwo("EvaluateCommandTest");
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    private int run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
        ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(outBytes, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(errBytes, true, StandardCharsets.UTF_8));
            return Main.run(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
            out = outBytes.toString(StandardCharsets.UTF_8);
            err = errBytes.toString(StandardCharsets.UTF_8);
        }
    }

    /** label,x,y of a point on a circle of radius 2 at {@code degrees}. */
    private static String point(int label, double degrees) {
        double r = Math.toRadians(degrees);
        return label + "," + 2 * Math.cos(r) + "," + 2 * Math.sin(r);
    }

    private JsonNode json(Path file) throws IOException {
        return new ObjectMapper().readTree(Files.readString(file));
    }

    @Test
    void evaluatesACsvBySelfRetrievalAndWritesTheJsonReport() throws IOException {
        // The hand-worked example of RetrievalEvaluatorTest: angles 0 10 25 42 90 100, classes A A B A B C.
        Path csv = dir.resolve("e.csv");
        Files.write(csv, List.of(point(0, 0), point(0, 10), point(1, 25), point(0, 42), point(1, 90),
                point(2, 100)));
        Path report = dir.resolve("metrics.json");

        int code = run("evaluate", "--embeddings", csv.toString(), "--k", "1,2,4,10", "--output",
                report.toString());

        assertEquals(0, code, err);
        JsonNode m = json(report);
        assertEquals(6, m.get("queries").asInt());
        assertEquals(6, m.get("gallery").asInt());
        assertEquals(2, m.get("dim").asInt());
        assertEquals("self", m.get("mode").asText());
        assertEquals(2.0 / 6, m.get("recall").get("1").asDouble(), 1e-12);
        assertEquals(0.5, m.get("recall").get("2").asDouble(), 1e-12);
        assertEquals(5.0 / 6, m.get("recall").get("4").asDouble(), 1e-12);
        assertEquals(0.25, m.get("map_at_r").asDouble(), 1e-12);
        assertEquals(0.3, m.get("r_precision").asDouble(), 1e-12);
        assertEquals(1, m.get("queries_without_match").asInt());
        assertEquals(5, m.get("clamped_k").get("10").asInt());
        assertTrue(m.get("seconds").asDouble() > 0);
        assertFalse(m.has("nmi"));
        assertTrue(out.contains("recall@1") && out.contains("0.3333"), out);
    }

    @Test
    void takesQueryAndGalleryRowsFromTheRoleColumn() throws IOException {
        // Query 0 deg (A) sees [B A A]; query 45 deg (B) sees [A A B]: Recall@1 0, @2 1/2, @3 1, MAP@R 1/8.
        Path csv = dir.resolve("roles.csv");
        Files.write(csv, List.of("label,x,y,role", point(0, 0) + ",query", point(1, 45) + ",query",
                point(1, 20) + ",gallery", point(0, 30) + ",gallery", point(0, 50) + ",gallery"));
        Path report = dir.resolve("roles.json");

        int code = run("evaluate", "--embeddings", csv.toString(), "--k", "1,2,3", "--output", report.toString());

        assertEquals(0, code, err);
        JsonNode m = json(report);
        assertEquals("query-gallery", m.get("mode").asText());
        assertEquals(2, m.get("queries").asInt());
        assertEquals(3, m.get("gallery").asInt());
        assertEquals(0.0, m.get("recall").get("1").asDouble(), 1e-12);
        assertEquals(0.5, m.get("recall").get("2").asDouble(), 1e-12);
        assertEquals(1.0, m.get("recall").get("3").asDouble(), 1e-12);
        assertEquals(0.125, m.get("map_at_r").asDouble(), 1e-12);
    }

    /**
     * Three vectors whose nearest neighbours differ by cosine and by raw dot product: R@1 is 0 of 3 on unit
     * vectors and 1 of 3 on the raw ones, so the result shows whether evaluate normalised.
     */
    private double recallAt1(boolean storedNormalised, String... flags) throws IOException {
        List<EmbeddingRecord> rows = List.of(
                new EmbeddingRecord(0, "q.png", 0, "eval", new float[] {1, 0}),
                new EmbeddingRecord(1, "a.png", 0, "eval", new float[] {10, 10}),
                new EmbeddingRecord(2, "b.png", 1, "eval", new float[] {0.9f, 0.2f}));
        String parquet = dir.resolve("stored-" + storedNormalised + flags.length + ".parquet").toString();
        EmbeddingParquet.write(spark, JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(rows, 1),
                EmbeddingMetadata.of("small_cnn", 2, "runs/x/best", storedNormalised), parquet, false);
        Path report = dir.resolve("n-" + storedNormalised + flags.length + ".json");
        List<String> args = new ArrayList<>(List.of("evaluate", "--embeddings", parquet, "--k", "1", "--output",
                report.toString()));
        args.addAll(List.of(flags));
        assertEquals(0, run(args.toArray(String[]::new)), err);
        return json(report).get("recall").get("1").asDouble();
    }

    @Test
    void normalisesUnlessTheFileSaysItsVectorsAlreadyAreOrTheFlagSays() throws IOException {
        assertEquals(0.0, recallAt1(false), 1e-12, "vectors the file calls raw are normalised");
        assertEquals(1.0 / 3, recallAt1(true), 1e-12, "vectors the file calls unit length are used as they are");
        assertEquals(0.0, recallAt1(true, "--normalize"), 1e-12, "the flag wins over the file");
        assertEquals(1.0 / 3, recallAt1(false, "--no-normalize"), 1e-12, "the flag wins over the file");
    }

    @Test
    void evaluatesEmbedParquetWithTheDatasetKListAndNmi() throws IOException {
        List<EmbeddingRecord> rows = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            double angle = Math.toRadians(i % 2 == 0 ? 10 + i * 0.1 : 200 + i * 0.1);
            rows.add(new EmbeddingRecord(i, "img/" + i + ".jpg", i % 2, "eval",
                    new float[] {(float) Math.cos(angle), (float) Math.sin(angle)}));
        }
        String parquet = dir.resolve("embeddings.parquet").toString();
        EmbeddingParquet.write(spark, JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(rows, 2),
                EmbeddingMetadata.of("bn_inception", 2, "runs/x/best", false), parquet, false);
        Path report = dir.resolve("p.json");

        int code = run("evaluate", "--embeddings", parquet, "--dataset", "CUB", "--nmi", "--output",
                report.toString());

        assertEquals(0, code, err);
        JsonNode m = json(report);
        assertEquals(1.0, m.get("recall").get("1").asDouble(), 1e-12);
        assertEquals(1.0, m.get("recall").get("32").asDouble(), 1e-12);
        assertEquals(1.0, m.get("map_at_r").asDouble(), 1e-12);
        assertEquals(1.0, m.get("nmi").asDouble(), 1e-9);
    }

    @Test
    void badDataExitsThreeAndBadFlagsTwoWithAMessageNamingFileAndRow() throws IOException {
        Path csv = dir.resolve("bad.csv");
        Files.write(csv, List.of(point(0, 0), "1,0,0", point(1, 20)));

        assertEquals(3, run("evaluate", "--embeddings", csv.toString(), "--k", "1"));
        assertTrue(err.contains("error: ") && err.contains("zero vector") && err.contains("id 2"), err);

        assertEquals(2, run("evaluate", "--embeddings", csv.toString()));
        assertTrue(err.contains("pass --k"), err);

        Path roles = dir.resolve("r.csv");
        Files.write(roles, List.of("label,x,y,role", point(0, 0) + ",query", point(0, 10) + ",gallery"));
        assertEquals(3, run("evaluate", "--embeddings", roles.toString(), "--dataset", "cars"));
        assertTrue(err.contains("cars is evaluated by self retrieval"), err);

        Path ragged = dir.resolve("ragged.csv");
        Files.write(ragged, List.of(point(0, 0), "1,0.5"));
        assertEquals(3, run("evaluate", "--embeddings", ragged.toString(), "--k", "1"));
        assertTrue(err.contains("line 2 of") && err.contains("ragged.csv"), err);

        Path headerOnly = dir.resolve("header-only.csv");
        Files.write(headerOnly, List.of("label,x,y"));
        assertEquals(3, run("evaluate", "--embeddings", headerOnly.toString(), "--k", "1"));
        assertTrue(err.contains("header-only.csv holds no embeddings"), err);

        Path emptyGallery = dir.resolve("empty-gallery.csv");
        Files.write(emptyGallery, List.of("label,x,y"));
        Path queries = dir.resolve("queries.csv");
        Files.write(queries, List.of(point(0, 0), point(1, 20)));
        assertEquals(3, run("evaluate", "--embeddings", queries.toString(), "--gallery", emptyGallery.toString(),
                "--k", "1"));
        assertTrue(err.contains("empty-gallery.csv holds no embeddings"), err);
    }
}
