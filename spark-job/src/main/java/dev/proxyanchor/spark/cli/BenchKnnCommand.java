package dev.proxyanchor.spark.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.proxyanchor.model.UsageException;
import dev.proxyanchor.model.UserInputException;
import dev.proxyanchor.spark.bench.KnnBenchmark;
import dev.proxyanchor.spark.io.TextFiles;
import dev.proxyanchor.spark.knn.KnnOptions;
import dev.proxyanchor.spark.runtime.SparkSessions;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bench knn}: the Spark kNN pass against a single-process flat search on SOP-sized random data. */
@Command(name = "knn", mixinStandardHelpOptions = true,
        description = "Time the distributed exact kNN against a single-process flat search on seeded clustered data.")
final class BenchKnnCommand implements Callable<Integer> {

    @Option(names = "--n", defaultValue = "60502", description = "Embeddings (default: SOP's eval set, ${DEFAULT-VALUE}).")
    int rows;

    @Option(names = "--dim", defaultValue = "512", description = "Embedding dimension (default ${DEFAULT-VALUE}).")
    int dim;

    @Option(names = "--k", defaultValue = "1000", description = "Neighbours per query (default ${DEFAULT-VALUE}).")
    int k;

    @Option(names = "--seed", defaultValue = "1", description = "Data seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--items-per-class", defaultValue = "5",
            description = "Items per class of the synthetic data (default ${DEFAULT-VALUE}, like SOP).")
    int itemsPerClass;

    @Option(names = "--query-block-rows", defaultValue = "1024", description = "Query rows per GEMM.")
    int queryBlockRows;

    @Option(names = "--gallery-block-rows", defaultValue = "4096", description = "Gallery rows per GEMM.")
    int galleryBlockRows;

    @Option(names = "--blas-threads-per-task", defaultValue = "1",
            description = "BLAS threads of each task's GEMM (default ${DEFAULT-VALUE}).")
    int blasThreadsPerTask;

    @Option(names = "--theoretical-gflops", defaultValue = "227",
            description = "The FMA peak quoted for this machine, reported alongside (DESIGN.md: ${DEFAULT-VALUE}).")
    double theoreticalGflops;

    @Option(names = "--repeats", defaultValue = "1",
            description = "Alternating runs of each search; the best of each is reported (default ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--output", description = "Also write the figures as JSON to this file (any Hadoop URI).")
    String output;

    @Override
    public Integer call() throws Exception {
        if (rows < 2 || dim < 1 || k < 1 || itemsPerClass < 1 || repeats < 1) {
            throw new UsageException("--n must be at least 2 and --dim, --k, --items-per-class, --repeats at "
                    + "least 1, got --n " + rows + " --dim " + dim + " --k " + k + " --items-per-class "
                    + itemsPerClass + " --repeats " + repeats);
        }
        KnnOptions layout;
        try {
            layout = KnnOptions.builder(k).queryBlockRows(queryBlockRows).galleryBlockRows(galleryBlockRows)
                    .galleryShardRows(Math.max(galleryBlockRows, 1 << 17)).blasThreadsPerTask(blasThreadsPerTask)
                    .build();
        } catch (IllegalArgumentException e) {
            throw new UserInputException(e.getMessage(), e);
        }
        // A session that already runs (a test, a notebook) belongs to its creator: leave it running.
        boolean ownSession = SparkSession.getActiveSession().isEmpty() && SparkSession.getDefaultSession().isEmpty();
        SparkSession spark = SparkSessions.getOrCreate("proxyanchor bench knn");
        try {
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            Map<String, Object> report = KnnBenchmark.run(jsc, new KnnBenchmark.Settings(rows, dim, k, seed,
                    itemsPerClass, layout, theoreticalGflops, repeats));
            report.forEach((key, value) -> System.out.printf("%-40s %s%n", key, value));
            if (output != null) {
                String json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                        .writeValueAsString(report);
                TextFiles.write(jsc.hadoopConfiguration(), output, json + "\n");
            }
            return 0;
        } finally {
            if (ownSession) {
                spark.stop();
            }
        }
    }
}
