package dev.proxyanchor.spark.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.proxyanchor.model.EmbeddingNetwork;
import dev.proxyanchor.model.checkpoint.Checkpoint;
import dev.proxyanchor.model.checkpoint.TrainingState;
import dev.proxyanchor.model.recipe.Recipe;
import dev.proxyanchor.spark.io.NpyHeader;
import dev.proxyanchor.spark.io.RunDirectory;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input found inside Spark tasks on a real standalone cluster (separate executor JVMs, spark.task.maxFailures=4),
 * submitted through {@code submit/cluster.sh}: the console shows the one {@code error:} line and no task stack
 * trace, the exit code is 3, and the event log shows no failed (so no retried) task. An executor on a GPU that ND4J's
 * CUDA build cannot run on (a faked H100) stops the run with the GPU's name.
 */
class UserErrorsOnStandaloneClusterIT {

    @TempDir
    Path dir;
    private Path jobJar;

    @BeforeEach
    void jobJar() {
        jobJar = Path.of("target", "proxyanchor-spark-job-" + System.getProperty("project.version") + ".jar")
                .toAbsolutePath();
        assumeTrue(Files.exists(jobJar), "the job jar is built in the package phase: run mvn verify");
    }

    @Test
    void aNanInStoredEmbeddingsAndACorruptImageAreReportedOnceUnretried() throws Exception {
        Path npy = dir.resolve("e.npy");
        float[] values = new float[40 * 4];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) Math.sin(i);
        }
        values[5 * 4 + 2] = Float.NaN;
        writeNpy(npy, "<f4", values, 40, 4);
        long[] labels = new long[40];
        writeNpy(dir.resolve("e.labels.npy"), "<i8", labels, 40);
        Path data = imagesWithOneCorrupt();
        Path run = checkpoint();

        try (StandaloneCluster spark = new StandaloneCluster(dir, 2, "2g")) {
            Result evaluate = submit(spark, "evaluate.log", List.of(), "evaluate", "--embeddings", npy.toString(),
                    "--k", "1");
            assertReportedOnce(evaluate, "row 5 of " + npy);
            assertTrue(evaluate.console().contains("has the value NaN"), evaluate.console());

            Result embed = submit(spark, "embed.log", List.of(), "embed", "--checkpoint", run.toString(),
                    "--dataset", "folder", "--data-root", data.toString(), "--output",
                    dir.resolve("out.parquet").toString());
            assertReportedOnce(embed, "broken.jpg");
            assertFalse(Files.exists(dir.resolve("out.parquet")), "nothing written");
        }
    }

    @Test
    void anExecutorOnAnUnsupportedGpuStopsTheRunNamingIt() throws Exception {
        Path bin = Files.createDirectories(dir.resolve("fake-bin"));
        script(bin.resolve("nvidia-smi"), "echo '0, NVIDIA H100 80GB HBM3, 9.0'");
        Path discovery = script(dir.resolve("gpus.sh"), "echo '{\"name\": \"gpu\", \"addresses\": [\"0\"]}'");
        Path npy = dir.resolve("g.npy");
        writeNpy(npy, "<f4", new float[] {1, 0, 0, 1, 1, 1}, 3, 2);
        writeNpy(dir.resolve("g.labels.npy"), "<i8", new long[] {0, 1, 0}, 3);

        try (StandaloneCluster spark = new StandaloneCluster(dir, 1, "2g",
                Map.of("spark.worker.resource.gpu.amount", "1",
                        "spark.worker.resource.gpu.discoveryScript", discovery.toString()))) {
            Result evaluate = submit(spark, "gpu.log", List.of("--gpu", "--gpu-discovery", discovery.toString(),
                    "--conf", "spark.executorEnv.PATH=" + bin + ":/usr/bin:/bin"),
                    "evaluate", "--embeddings", npy.toString(), "--k", "1");

            assertEquals(3, evaluate.exitCode(), evaluate.console());
            List<String> errors = errorLines(evaluate.console());
            assertEquals(1, errors.size(), evaluate.console());
            assertTrue(errors.get(0).startsWith("error: GPU 0 (NVIDIA H100 80GB HBM3) has compute capability 9.0")
                    && errors.get(0).contains("Hopper"), errors.get(0));
        }
    }

    private record Result(int exitCode, String console, Path events) {
    }

    private static void assertReportedOnce(Result result, String named) throws IOException {
        assertEquals(3, result.exitCode(), result.console());
        List<String> errors = errorLines(result.console());
        assertEquals(1, errors.size(), result.console());
        assertTrue(errors.get(0).contains(named), errors.get(0));
        assertFalse(result.console().contains("\tat ") || result.console().contains("Lost task")
                || result.console().contains("Exception in task"), result.console());
        try (Stream<Path> logs = Files.list(result.events())) {
            for (Path log : logs.toList()) {
                String events = Files.readString(log);
                assertTrue(events.contains("SparkListenerTaskEnd"), "the event log holds the tasks");
                assertFalse(events.contains("\"Reason\":\"ExceptionFailure\""), "a task failed (and was retried)");
            }
        }
    }

    private static List<String> errorLines(String console) {
        return console.lines().filter(l -> l.startsWith("error:")).toList();
    }

    /** Runs submit/cluster.sh with {@code options} before {@code --} and the job after it. */
    private Result submit(StandaloneCluster spark, String log, List<String> options, String... job)
            throws Exception {
        Path events = Files.createDirectories(dir.resolve("events-" + log));
        List<String> command = new ArrayList<>(List.of("bash",
                TrainOnStandaloneClusterIT.repo().resolve("submit/cluster.sh").toString(),
                "--master", spark.masterUrl(), "--executor-cores", "1", "--executor-memory", "1g", "--offheap", "1g",
                "--jar", jobJar.toString(), "--conf", "spark.executor.extraClassPath=" + spark.classPath(),
                "--conf", "spark.task.maxFailures=4", "--conf", "spark.eventLog.enabled=true",
                "--conf", "spark.eventLog.dir=" + events.toUri()));
        command.addAll(options);
        command.add("--");
        command.addAll(List.of(job));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve(log).toFile());
        pb.environment().putAll(spark.environment());
        pb.environment().put("SPARK_SUBMIT", TrainOnStandaloneClusterIT.sparkSubmitShim(dir, spark).toString());
        Process process = pb.start();
        assertTrue(process.waitFor(10, TimeUnit.MINUTES), "did not finish: "
                + TrainOnStandaloneClusterIT.tail(dir.resolve(log)));
        return new Result(process.exitValue(), Files.readString(dir.resolve(log)), events);
    }

    private static Path script(Path file, String body) throws IOException {
        Files.writeString(file, "#!/usr/bin/env bash\n" + body + "\n");
        file.toFile().setExecutable(true);
        return file;
    }

    private static void writeNpy(Path file, String descr, Object values, long... shape) throws IOException {
        int count = values instanceof float[] f ? f.length : ((long[]) values).length;
        ByteBuffer data = ByteBuffer.allocate(count * (values instanceof float[] ? 4 : 8))
                .order(ByteOrder.LITTLE_ENDIAN);
        if (values instanceof float[] f) {
            data.asFloatBuffer().put(f);
        } else {
            data.asLongBuffer().put((long[]) values);
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            NpyHeader.write(out, descr, shape);
            out.write(data.array());
        }
    }

    /** A folder dataset (train/ and eval/) of 28 x 28 JPEGs, one eval image of which is not a JPEG at all. */
    private Path imagesWithOneCorrupt() throws IOException {
        Path root = dir.resolve("images");
        for (String role : List.of("train", "eval")) {
            for (String cls : List.of("a", "b")) {
                for (int i = 0; i < 4; i++) {
                    Path file = Files.createDirectories(root.resolve(role).resolve(cls)).resolve(i + ".jpg");
                    BufferedImage image = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
                    image.getRaster().setSample(i, cls.equals("a") ? 3 : 20, 0, 255);
                    ImageIO.write(image, "jpg", file.toFile());
                }
            }
        }
        Files.write(root.resolve("eval").resolve("b").resolve("broken.jpg"), new byte[] {(byte) 0xFF, (byte) 0xD8,
            (byte) 0xFF, (byte) 0xE0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 2, 3});
        return root;
    }

    private Path checkpoint() throws IOException {
        Recipe recipe = Recipe.builder().model("small_cnn").embeddingSize(8).numClasses(2).seed(1).build();
        Path run = dir.resolve("run");
        RunDirectory.at(run.toString(), new Configuration()).writeCheckpoint(RunDirectory.BEST,
                new Checkpoint(EmbeddingNetwork.create(recipe), TrainingState.start(recipe)));
        return run;
    }
}
