package dev.proxyanchor.spark.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.proxyanchor.datasets.FashionMnist;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job as users run it: {@code submit/cluster.sh} submits the job jar to a real Spark standalone cluster (a
 * master and two one-core workers on 127.0.0.1, separate JVMs) that reads a Fashion-MNIST subset from an in-process
 * HDFS and writes its run there; one worker is killed during training and the run still completes.
 */
class TrainOnStandaloneClusterIT {

    @Test
    void trainsFromHdfsAcrossTwoExecutorsAndSurvivesALostWorker(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isDirectory(Path.of(new FashionMnist().defaultRoot())), "run submit/setup-debian.sh first");
        Path jobJar = Path.of("target", "proxyanchor-spark-job-" + System.getProperty("project.version") + ".jar")
                .toAbsolutePath();
        assumeTrue(Files.exists(jobJar), "the job jar is built in the package phase: run mvn verify");

        Configuration hdfsConf = new Configuration();
        hdfsConf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, dir.resolve("hdfs").toString());
        MiniDFSCluster hdfs = new MiniDFSCluster.Builder(hdfsConf).numDataNodes(1).build();
        try (StandaloneCluster spark = new StandaloneCluster(dir, 2, "3g")) {
            FileSystem fs = hdfs.getFileSystem();
            String root = "hdfs://127.0.0.1:" + hdfs.getNameNodePort();
            FashionMnistSubset.write(Path.of(new FashionMnist().defaultRoot()), 6000, 1000,
                    name -> fs.create(new org.apache.hadoop.fs.Path("/fmnist/" + name)));

            Process train = submit(dir, spark, jobJar, "train.log", "train", "--dataset", "fmnist",
                    "--data-root", root + "/fmnist", "--output", root + "/runs/fmnist", "--model", "small_cnn",
                    "--embedding-size", "32", "--batch-size", "64", "--workers", "2", "--averaging-frequency", "2",
                    "--lr", "1e-3", "--warm", "0", "--bn-freeze", "0", "--epochs", "2", "--eval-limit", "500");

            org.apache.hadoop.fs.Path metrics = new org.apache.hadoop.fs.Path("/runs/fmnist/metrics.jsonl");
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(8);
            while (!fs.exists(metrics) && train.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(500);
            }
            spark.killWorker(1);

            assertTrue(train.waitFor(10, TimeUnit.MINUTES), "train did not finish: " + tail(dir.resolve("train.log")));
            assertEquals(0, train.exitValue(), "train failed: " + tail(dir.resolve("train.log"))
                    + "\nexecutor logs:\n" + executorLogs(dir));
            List<JsonNode> lines = new ArrayList<>();
            try (var in = fs.open(metrics)) {
                for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                    lines.add(new ObjectMapper().readTree(line));
                }
            }
            assertEquals(2, lines.size(), "two epochs in metrics.jsonl");
            assertTrue(lines.get(1).get("eval").get("recall").get("1").asDouble() > 0.5, lines.get(1).toString());
            assertTrue(fs.exists(new org.apache.hadoop.fs.Path("/runs/fmnist/last/model.zip")));
            assertTrue(Files.readString(dir.resolve("train.log")).contains("2 workers x 32"));

            Process embed = submit(dir, spark, jobJar, "embed.log", "embed", "--checkpoint", root + "/runs/fmnist",
                    "--dataset", "fmnist", "--data-root", root + "/fmnist", "--output", root + "/runs/eval.parquet");
            assertTrue(embed.waitFor(5, TimeUnit.MINUTES) && embed.exitValue() == 0, tail(dir.resolve("embed.log")));
            Process evaluate = submit(dir, spark, jobJar, "evaluate.log", "evaluate", "--embeddings",
                    root + "/runs/eval.parquet", "--dataset", "fmnist", "--output", root + "/runs/eval.json");
            assertTrue(evaluate.waitFor(5, TimeUnit.MINUTES) && evaluate.exitValue() == 0,
                    tail(dir.resolve("evaluate.log")));
            try (var in = fs.open(new org.apache.hadoop.fs.Path("/runs/eval.json"))) {
                JsonNode eval = new ObjectMapper().readTree(in);
                // The subset's 1,000 test images hold the classes 5-9 images evaluated zero-shot.
                assertEquals(lines.get(1).get("eval").get("queries").asInt() > 0, eval.get("queries").asInt() > 0);
                assertTrue(eval.get("recall").get("1").asDouble() > 0.5, eval.toString());
            }
        } finally {
            hdfs.shutdown();
        }
    }

    /**
     * A corrupt JPEG among a folder dataset's training images, read by the executors from HDFS: the run stops with a
     * message naming the file (the failing decode is on an executor's decode pool, ahead of the training step), and
     * with {@code --skip-bad-images} it trains, counts the image and lists it.
     */
    @Test
    void aCorruptTrainingImageStopsTheRunNamingItUnlessSkipped(@TempDir Path dir) throws Exception {
        Path jobJar = Path.of("target", "proxyanchor-spark-job-" + System.getProperty("project.version") + ".jar")
                .toAbsolutePath();
        assumeTrue(Files.exists(jobJar), "the job jar is built in the package phase: run mvn verify");
        Configuration hdfsConf = new Configuration();
        hdfsConf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, dir.resolve("hdfs").toString());
        MiniDFSCluster hdfs = new MiniDFSCluster.Builder(hdfsConf).numDataNodes(1).build();
        try (StandaloneCluster spark = new StandaloneCluster(dir, 2, "3g")) {
            FileSystem fs = hdfs.getFileSystem();
            String root = "hdfs://127.0.0.1:" + hdfs.getNameNodePort();
            java.util.SplittableRandom random = new java.util.SplittableRandom(System.nanoTime());
            int corrupt = random.nextInt(3 * 16);
            String badName = null;
            for (int c = 0; c < 5; c++) {
                String role = c < 3 ? "train" : "eval";
                for (int i = 0; i < 16; i++) {
                    byte[] jpeg = jpeg(40 + random.nextInt(30), 40 + random.nextInt(30), c);
                    String name = "/images/" + role + "/class" + c + "/" + i + ".jpg";
                    if (c * 16 + i == corrupt) {
                        jpeg = java.util.Arrays.copyOf(jpeg, jpeg.length / 2);
                        badName = name;
                    }
                    try (var out = fs.create(new org.apache.hadoop.fs.Path(name))) {
                        out.write(jpeg);
                    }
                }
            }
            String[] train = {"train", "--dataset", "folder", "--data-root", root + "/images", "--model",
                    "small_cnn", "--embedding-size", "16", "--batch-size", "8", "--workers", "2",
                    "--averaging-frequency", "2", "--warm", "0", "--epochs", "1"};

            Process stopped = submit(dir, spark, jobJar, "corrupt.log", concat(train, "--output",
                    root + "/runs/corrupt"));
            assertTrue(stopped.waitFor(8, TimeUnit.MINUTES), "a corrupt image left the run hanging: "
                    + tail(dir.resolve("corrupt.log")));
            assertTrue(stopped.exitValue() != 0, "the run trained over a corrupt image");
            assertTrue(Files.readString(dir.resolve("corrupt.log")).contains(badName + ": it is truncated"),
                    "the message does not name " + badName + ": " + tail(dir.resolve("corrupt.log")));

            Process skipping = submit(dir, spark, jobJar, "skip.log", concat(train, "--output",
                    root + "/runs/skip", "--skip-bad-images"));
            assertTrue(skipping.waitFor(8, TimeUnit.MINUTES) && skipping.exitValue() == 0,
                    tail(dir.resolve("skip.log")));
            try (var in = fs.open(new org.apache.hadoop.fs.Path("/runs/skip/metrics.jsonl"))) {
                JsonNode epoch = new ObjectMapper().readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8)
                        .split("\n")[0]);
                // 48 training images in batches of 8: every image is in the epoch, the corrupt one too.
                assertEquals(1, epoch.get("bad_images").asInt(), epoch.toString());
            }
            try (var in = fs.open(new org.apache.hadoop.fs.Path("/runs/skip/bad_images.txt"))) {
                assertTrue(new String(in.readAllBytes(), StandardCharsets.UTF_8).contains(badName));
            }
        } finally {
            hdfs.shutdown();
        }
    }

    private static byte[] jpeg(int width, int height, int cls) throws IOException {
        java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(width, height,
                java.awt.image.BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, ((x * (cls + 1)) & 0xFF) << 16 | ((y * 7) & 0xFF) << 8 | (cls * 50 & 0xFF));
            }
        }
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(image, "jpg", bytes);
        return bytes.toByteArray();
    }

    private static String[] concat(String[] first, String... more) {
        String[] all = java.util.Arrays.copyOf(first, first.length + more.length);
        System.arraycopy(more, 0, all, first.length, more.length);
        return all;
    }

    /** Runs submit/cluster.sh against the cluster with the given job arguments, output to a log in dir. */
    private static Process submit(Path dir, StandaloneCluster spark, Path jobJar, String log, String... job)
            throws IOException {
        List<String> command = new ArrayList<>(List.of("bash", repo().resolve("submit/cluster.sh").toString(),
                "--master", spark.masterUrl(), "--executor-cores", "1", "--executor-memory", "1500m",
                "--offheap", "1g", "--jar", jobJar.toString(),
                "--conf", "spark.executor.extraClassPath=" + spark.classPath(),
                "--conf", "spark.task.maxFailures=4", "--"));
        command.addAll(List.of(job));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve(log).toFile());
        pb.environment().putAll(spark.environment());
        pb.environment().put("SPARK_SUBMIT", sparkSubmitShim(dir, spark).toString());
        return pb.start();
    }

    /** spark-submit for a machine with no Spark install: SparkSubmit from the Maven class path. */
    static Path sparkSubmitShim(Path dir, StandaloneCluster spark) throws IOException {
        Path shim = dir.resolve("spark-submit");
        Files.writeString(shim, "#!/usr/bin/env bash\n"
                + "source '" + repo().resolve("submit/java-opts.sh") + "'\n"
                + "exec '" + StandaloneCluster.javaBinary() + "' -Xmx2g \"${JAVA_MODULE_OPENS[@]}\" "
                + "\"${JOB_SYSTEM_PROPERTIES[@]}\" -cp '" + spark.classPath() + "' "
                + "org.apache.spark.deploy.SparkSubmit \"$@\"\n");
        shim.toFile().setExecutable(true);
        return shim;
    }

    static Path repo() {
        Path d = Path.of("").toAbsolutePath();
        while (!Files.exists(d.resolve("submit/cluster.sh"))) {
            d = d.getParent();
        }
        return d;
    }

    private static String executorLogs(Path dir) throws IOException {
        StringBuilder out = new StringBuilder();
        try (var files = Files.walk(dir)) {
            Path kept = Files.createDirectories(Path.of("target", "it-executor-logs"));
            for (Path log : files.filter(p -> p.getFileName().toString().matches("stderr|stdout")).toList()) {
                out.append("== ").append(log).append('\n').append(tail(log)).append('\n');
                Files.copy(log, kept.resolve(log.getParent().getFileName() + "-" + log.getFileName()),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return out.toString();
    }

    static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log).stream()
                .filter(l -> !l.strip().startsWith("at ") && l.length() < 2000).toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }
}
