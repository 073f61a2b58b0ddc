package dev.proxyanchor.spark.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.proxyanchor.model.UsageException;
import dev.proxyanchor.model.UserInputException;
import dev.proxyanchor.spark.io.EpochRecord;
import dev.proxyanchor.spark.io.RunDirectory;
import dev.proxyanchor.spark.io.TextFiles;
import dev.proxyanchor.spark.runtime.SparkSessions;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code report} driver: reads a run directory's config and epoch records, optionally builds the retrieval
 * gallery from {@code embed}'s Parquet (the only part that needs Spark), and writes the page.
 */
public final class RunReport {

    private static final Logger LOG = LoggerFactory.getLogger(RunReport.class);

    /**
     * @param embeddingsOrNull embed's Parquet for the gallery, or null for no gallery
     * @param outputOrNull     where to write the page; null for {@code report.html} in the run directory
     */
    public record Settings(String run, String embeddingsOrNull, String outputOrNull, int queries, int neighbours,
                           long seed) {
        public Settings {
            if (queries < 1 || neighbours < 1) {
                throw new UsageException("--queries and --neighbours must be at least 1");
            }
        }

        String output() {
            return outputOrNull != null ? outputOrNull : new Path(run, "report.html").toString();
        }
    }

    private RunReport() {
    }

    /** Writes the report and returns where. */
    public static String write(Settings s) throws IOException {
        Configuration hadoop = new Configuration();
        RunDirectory run = RunDirectory.at(s.run(), hadoop);
        List<EpochRecord> epochs = run.readEpochs();
        String configText = run.readText(RunDirectory.CONFIG);
        if (epochs.isEmpty() && configText.isEmpty()) {
            throw new UserInputException("--run " + s.run() + " holds no run: expected " + RunDirectory.METRICS
                    + " and " + RunDirectory.CONFIG + " as train writes them");
        }
        JsonNode config = configText.isEmpty() ? JsonNodeFactory.instance.objectNode()
                : new ObjectMapper().readTree(configText);
        Optional<Gallery> gallery = Optional.ofNullable(s.embeddingsOrNull()).map(uri -> gallery(s, uri));
        String page = ReportPage.render(new ReportPage.Contents(s.run(), config, epochs, gallery));
        TextFiles.write(hadoop, s.output(), page);
        LOG.info("wrote {} ({} epochs{})", s.output(), epochs.size(),
                gallery.map(g -> ", " + g.queries().size() + " gallery queries").orElse(""));
        return s.output();
    }

    private static Gallery gallery(Settings s, String uri) {
        boolean ownSession = SparkSession.getActiveSession().isEmpty() && SparkSession.getDefaultSession().isEmpty();
        SparkSession spark = SparkSessions.getOrCreate("proxyanchor report");
        try {
            return GalleryBuilder.build(spark, uri, s.queries(), s.neighbours(), s.seed());
        } finally {
            if (ownSession) {
                spark.stop();
            }
        }
    }
}
