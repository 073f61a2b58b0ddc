package dev.proxyanchor.spark.cli;

import dev.proxyanchor.spark.report.RunReport;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code report}: a run directory (and optionally its embeddings) in, one self-contained HTML page out. */
@Command(name = "report", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write one self-contained HTML page about a training run: per-epoch curves of the loss, the "
                + "learning rates, Recall@K and MAP@R with the best epoch marked; the final metrics beside the "
                + "published figures; the run's config; and with --embeddings a retrieval gallery. Opens offline."})
final class ReportCommand implements Callable<Integer> {

    @Option(names = "--run", required = true, description = "the run directory train wrote (any Hadoop URI)")
    String run;

    @Option(names = "--embeddings", description = "Parquet written by embed (with image paths): adds a gallery of "
            + "seeded queries and their nearest neighbours")
    String embeddings;

    @Option(names = "--output", description = "the HTML file to write (default: report.html in the run directory)")
    String output;

    @Option(names = "--queries", defaultValue = "12", description = "gallery queries, default: ${DEFAULT-VALUE}")
    int queries;

    @Option(names = "--neighbours", defaultValue = "8",
            description = "neighbours shown per query, default: ${DEFAULT-VALUE}")
    int neighbours;

    @Option(names = "--seed", defaultValue = "0", description = "seed of the gallery's queries, default: ${DEFAULT-VALUE}")
    long seed;

    @Override
    public Integer call() throws Exception {
        RunReport.write(new RunReport.Settings(run, embeddings, output, queries, neighbours, seed));
        return 0;
    }
}
