package dev.proxyanchor.spark.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.proxyanchor.model.loss.Losses;
import dev.proxyanchor.model.runtime.CpuKernels;
import dev.proxyanchor.spark.bench.OneJvmTrainingBenchmark;
import dev.proxyanchor.spark.bench.SparkTrainingBenchmark;
import dev.proxyanchor.spark.io.RunDirectory;
import dev.proxyanchor.spark.runtime.SparkSessions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench train}: training images/s (forward, backward, update) of a backbone with the Proxy-Anchor head,
 * in one JVM without Spark (a child JVM using every core) and through SparkComputationGraph parameter averaging in
 * the current master (local mode: each task's kernels on cores / tasks threads, see submit/local.sh), as two rows
 * of one report; {@code --one-jvm-only} skips the Spark half. {@code --bn-freeze 1} (the default, as in the official
 * recipe) trains with BatchNorm on its running statistics; both paths time steps after the warm-up, when every
 * layer trains.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Training throughput: one JVM vs Spark parameter averaging, same network and batch.")
final class BenchTrainCommand implements Callable<Integer> {

    @Option(names = "--model", defaultValue = "small_cnn", description = "default: ${DEFAULT-VALUE}")
    String model;

    @Option(names = "--loss", defaultValue = Losses.PROXY_ANCHOR, completionCandidates = Losses.Names.class,
            description = "the loss and its head, as train's --loss (${COMPLETION-CANDIDATES}), default: "
                    + "${DEFAULT-VALUE}; labels cycle through --proxies classes, so every batch has positive pairs")
    String loss;

    @Option(names = "--batch-size", defaultValue = "128", description = "global batch, default: ${DEFAULT-VALUE}")
    int batchSize;

    @Option(names = "--iterations", defaultValue = "60", description = "timed steps, default: ${DEFAULT-VALUE}")
    int iterations;

    @Option(names = "--warmup", defaultValue = "10", description = "untimed steps first, default: ${DEFAULT-VALUE}")
    int warmup;

    @Option(names = "--workers", defaultValue = "0", description = "Spark workers (default: default parallelism)")
    int workers;

    @Option(names = "--averaging-frequency", defaultValue = "5", description = "default: ${DEFAULT-VALUE}")
    int averagingFrequency;

    @Option(names = "--proxies", defaultValue = "5", description = "classes, default: ${DEFAULT-VALUE}")
    int proxies;

    @Option(names = "--embedding-size", defaultValue = "64", description = "default: ${DEFAULT-VALUE}")
    int embeddingSize;

    @Option(names = "--bn-freeze", defaultValue = "1",
            description = "1: BatchNorm keeps its running statistics, as the official recipe trains, default: "
                    + "${DEFAULT-VALUE}")
    int bnFreeze;

    @Option(names = "--repeats", defaultValue = "1",
            description = "runs of each path, alternating; the report gives the best of each (a shared machine's "
                    + "figures swing by 20-30%%), default: ${DEFAULT-VALUE}")
    int repeats;

    @Option(names = "--one-jvm-only", description = "time only the one-JVM path (no Spark session is started)")
    boolean oneJvmOnly;

    @Option(names = "--output", description = "also write the report as JSON to this file (any Hadoop URI)")
    String output;

    @Override
    public Integer call() throws Exception {
        if (batchSize <= 0 || iterations <= 0 || warmup < 0 || repeats < 1) {
            throw new dev.proxyanchor.model.UsageException("--batch-size, --iterations and --repeats must be "
                    + "positive and --warmup not negative, got " + batchSize + ", " + iterations + ", " + repeats
                    + " and " + warmup);
        }
        if (bnFreeze != 0 && bnFreeze != 1) {
            throw new dev.proxyanchor.model.UsageException("--bn-freeze takes 0 or 1, got " + bnFreeze);
        }
        loss = Losses.get(loss).name();
        requirePositivePairs(1);
        OneJvmTrainingBenchmark.Setup setup = new OneJvmTrainingBenchmark.Setup(model, loss, batchSize, proxies,
                embeddingSize, bnFreeze == 1);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("model", model);
        report.put("loss", loss);
        report.put("batch_size", batchSize);
        report.put("embedding_size", embeddingSize);
        report.put("bn_freeze", bnFreeze);
        report.put("iterations", iterations);
        report.put("repeats", repeats);
        if (oneJvmOnly) {
            List<OneJvmTrainingBenchmark.Result> oneJvmRuns = new ArrayList<>();
            for (int r = 0; r < repeats; r++) {
                oneJvmRuns.add(OneJvmTrainingBenchmark.runInChildJvm(setup, warmup, iterations));
            }
            printHeader();
            printRow("one JVM", fastest(oneJvmRuns));
            addOneJvm(report, oneJvmRuns);
            writeReport(report, new Configuration());
            return 0;
        }
        SparkSession spark = SparkSessions.getOrCreate("proxyanchor bench train");
        try {
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            int w = workers > 0 ? workers : jsc.defaultParallelism();
            if (batchSize % w != 0) {
                throw new dev.proxyanchor.model.UsageException("--batch-size " + batchSize
                        + " must be a multiple of the " + w + " workers");
            }
            requirePositivePairs(w);
            List<OneJvmTrainingBenchmark.Result> oneJvmRuns = new ArrayList<>();
            List<OneJvmTrainingBenchmark.Result> sparkRuns = new ArrayList<>();
            for (int r = 0; r < repeats; r++) {
                oneJvmRuns.add(OneJvmTrainingBenchmark.runInChildJvm(setup, warmup, iterations));
                sparkRuns.add(SparkTrainingBenchmark.run(jsc, setup, w, averagingFrequency, warmup, iterations));
            }
            OneJvmTrainingBenchmark.Result oneJvm = fastest(oneJvmRuns);
            OneJvmTrainingBenchmark.Result sparkRun = fastest(sparkRuns);

            printHeader();
            printRow("one JVM", oneJvm);
            printRow("Spark " + jsc.master() + " x" + w + " (avg " + averagingFrequency + ")", sparkRun);
            System.out.printf("ratio spark / one JVM: %.2f%n", sparkRun.imagesPerSec() / oneJvm.imagesPerSec());

            addOneJvm(report, oneJvmRuns);
            report.put("spark_local_images_per_sec", sparkRun.imagesPerSec());
            report.put("spark_local_runs_images_per_sec", sparkRuns.stream()
                    .map(OneJvmTrainingBenchmark.Result::imagesPerSec).toList());
            report.put("spark_master", jsc.master());
            report.put("workers", w);
            report.put("averaging_frequency", averagingFrequency);
            writeReport(report, jsc.hadoopConfiguration());
            return 0;
        } finally {
            spark.stop();
        }
    }

    /** Labels cycle through {@code --proxies} classes, so a pair-based loss needs more images than that per worker. */
    private void requirePositivePairs(int workers) {
        if (Losses.get(loss).pairBased() && batchSize / workers <= proxies) {
            throw new dev.proxyanchor.model.UsageException("--loss " + loss + " needs positive pairs in each "
                    + "worker's batch: give a --batch-size over " + workers + " x --proxies (" + proxies + "), got "
                    + batchSize);
        }
    }

    private void printHeader() {
        System.out.printf("%-28s %10s %12s%s%n", "path", "images/s", "seconds",
                repeats > 1 ? "   (best of " + repeats + ")" : "");
    }

    private static void printRow(String path, OneJvmTrainingBenchmark.Result result) {
        System.out.printf("%-28s %10.1f %12.2f%n", path, result.imagesPerSec(), result.seconds());
    }

    private static void addOneJvm(Map<String, Object> report, List<OneJvmTrainingBenchmark.Result> runs) {
        report.put("one_jvm_images_per_sec", fastest(runs).imagesPerSec());
        report.put("one_jvm_runs_images_per_sec", runs.stream()
                .map(OneJvmTrainingBenchmark.Result::imagesPerSec).toList());
    }

    /** Prints the backend line and writes {@code report} (with the backend) to {@link #output} when given. */
    private void writeReport(Map<String, Object> report, Configuration hadoop) throws java.io.IOException {
        System.out.println("backend: " + CpuKernels.describe());
        report.put("backend", Nd4j.getBackend().getClass().getSimpleName() + " "
                + System.getProperty(CpuKernels.EXTENSION, ""));
        report.put("helpers", Map.of("onednn", org.deeplearning4j.nn.layers.mkldnn.BaseMKLDNNHelper.mklDnnEnabled(),
                "description", CpuKernels.describe()));
        if (output != null) {
            Path path = new Path(output);
            RunDirectory.at(path.getParent().toString(), hadoop).writeText(path.getName(),
                    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report));
        }
    }

    private static OneJvmTrainingBenchmark.Result fastest(List<OneJvmTrainingBenchmark.Result> runs) {
        return runs.stream().max(Comparator.comparingDouble(OneJvmTrainingBenchmark.Result::imagesPerSec))
                .orElseThrow();
    }
}
