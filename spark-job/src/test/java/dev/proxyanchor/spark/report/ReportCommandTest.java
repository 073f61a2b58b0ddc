package dev.proxyanchor.spark.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxyanchor.spark.SparkTestSessions;
import dev.proxyanchor.spark.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code report} through the entry point: a run directory and embed's Parquet over real image files. */
class ReportCommandTest {

    private static SparkSession spark;

    @TempDir
    Path dir;

    @BeforeAll
    static void startSpark() {
        spark = SparkTestSessions.localTwo("ReportCommandTest");
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    @Test
    void writesTheGalleryFromTheImagesThemselvesWithExactNeighbours() throws Exception {
        Path run = ReportFixtures.run(dir.resolve("run"), "folder", "small_cnn", 4);
        String embeddings = ReportFixtures.embeddings(spark, dir);

        assertEquals(0, Main.run("report", "--run", run.toString(), "--embeddings", embeddings, "--seed", "5"));
        String html = Files.readString(run.resolve("report.html"));

        Matcher rows = Pattern.compile("<div class=\"query-row\">(.*?)</div>").matcher(html);
        int queries = 0;
        int correct = 0;
        while (rows.find()) {
            queries++;
            String row = rows.group(1);
            assertEquals(9, count(row, "<img src=\"data:image/png;base64,"), "query and 8 neighbours: " + row);
            correct += count(row, "class=\"correct\"");
            double previous = Double.POSITIVE_INFINITY;
            Matcher similarities = Pattern.compile("<figcaption>(-?[0-9.]+), label").matcher(row);
            while (similarities.find()) {
                double s = Double.parseDouble(similarities.group(1));
                assertTrue(s <= previous + 1e-9 && s <= 1.0 + 1e-6, "neighbours by decreasing similarity: " + row);
                previous = s;
            }
        }
        assertEquals(12, queries);
        assertTrue(correct > 12 * 8 / 2 && correct < 12 * 8, "mostly, not only, same-label neighbours: " + correct);
        assertTrue(html.contains("title=\"" + dir.resolve("images").toUri()), "thumbnails name their image files");
        assertTrue(html.contains("<h1>" + run + "</h1>"), "the run as --run named it");

        Path again = dir.resolve("again.html");
        assertEquals(0, Main.run("report", "--run", run.toString(), "--embeddings", embeddings, "--seed", "5",
                "--output", again.toString()));
        assertEquals(html.replaceAll("written by [^<]*", ""), Files.readString(again).replaceAll("written by [^<]*", ""),
                "the same seed gives the same page");
    }

    @Test
    void namesAMissingRunInOneLine() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        System.setErr(new PrintStream(err, true));
        try {
            assertEquals(3, Main.run("report", "--run", dir.resolve("nothing").toString()));
        } finally {
            System.setErr(old);
        }
        assertTrue(err.toString().startsWith("error: --run " + dir.resolve("nothing")), err.toString());
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
