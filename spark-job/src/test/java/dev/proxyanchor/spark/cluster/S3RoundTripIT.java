package dev.proxyanchor.spark.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.proxyanchor.datasets.FashionMnist;
import dev.proxyanchor.spark.cli.Main;
import java.io.DataInputStream;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train}, {@code embed} and {@code evaluate} with every input and output on {@code s3a://}, against a local
 * S3 endpoint (S3Proxy). Each command runs as its own JVM, as a user runs it, and takes its credentials through a
 * different one of the standard routes: Spark configuration ({@code spark.hadoop.fs.s3a.*}, which is what
 * {@code spark-defaults.conf} becomes), the AWS environment variables, and a {@code core-site.xml} on the class path.
 * No credential is ever a job flag, and none may appear in what the job writes or logs.
 */
class S3RoundTripIT {

    private static final String BUCKET = "proxyanchor-it";
    private static final String ROOT = "s3a://" + BUCKET;
    private static final int TRAIN_RECORDS = 3000;
    private static final int TEST_RECORDS = 1000;

    @Test
    void trainsEmbedsAndEvaluatesOnS3(@TempDir Path dir) throws Exception {
        Path fmnist = Path.of(new FashionMnist().defaultRoot());
        assumeTrue(Files.isDirectory(fmnist), "Fashion-MNIST is not installed: run submit/setup-debian.sh");
        String jar = System.getProperty("s3proxy.jar");
        assumeTrue(jar != null && Files.exists(Path.of(jar)),
                "S3Proxy's jar is copied to target/s3proxy in Maven's pre-integration-test phase: run mvn verify");

        try (LocalS3 s3 = new LocalS3(Path.of(jar), dir)) {
            s3.createBucket(BUCKET);
            try (FileSystem fs = FileSystem.newInstance(URI.create(ROOT), testClientConf(s3))) {
                FashionMnistSubset.write(fmnist, TRAIN_RECORDS, TEST_RECORDS,
                        name -> fs.create(new org.apache.hadoop.fs.Path(ROOT + "/fmnist/" + name)));

                // 1. train: credentials as Spark configuration (spark-defaults.conf / --properties-file).
                Map<String, String> sparkConf = sparkHadoop(s3.s3aEndpointSettings());
                sparkConf.put("spark.hadoop.fs.s3a.access.key", s3.accessKey());
                sparkConf.put("spark.hadoop.fs.s3a.secret.key", s3.secretKey());
                // How a cluster user hands executors the environment route; local mode ignores it, config.json not.
                sparkConf.put("spark.executorEnv.AWS_ACCESS_KEY_ID", s3.accessKey());
                sparkConf.put("spark.executorEnv.AWS_SECRET_ACCESS_KEY", s3.secretKey());
                run(dir, "train", sparkConf, Map.of(), null,
                        "train", "--dataset", "fmnist", "--data-root", ROOT + "/fmnist", "--output", ROOT + "/runs/x",
                        "--model", "small_cnn", "--embedding-size", "32", "--batch-size", "64", "--lr", "1e-3",
                        "--warm", "0", "--bn-freeze", "0", "--epochs", "1", "--train-limit", "1280",
                        "--eval-limit", "400", "--averaging-frequency", "2", "--seed", "3");

                List<JsonNode> metrics = new ArrayList<>();
                for (String line : read(fs, "runs/x/metrics.jsonl").split("\n")) {
                    metrics.add(new ObjectMapper().readTree(line));
                }
                assertEquals(1, metrics.size(), "one epoch in metrics.jsonl");
                assertEquals(400, metrics.get(0).get("eval").get("queries").asInt());
                assertTrue(metrics.get(0).get("eval").get("recall").get("1").asDouble() > 0.3, metrics.toString());
                for (String checkpoint : List.of("last", "best")) {
                    assertTrue(fs.getFileStatus(path("runs/x/" + checkpoint + "/model.zip")).getLen() > 0,
                            checkpoint);
                }
                JsonNode sparkSettings = new ObjectMapper().readTree(read(fs, "runs/x/config.json")).get("spark_conf");
                assertEquals("(redacted)", sparkSettings.get("spark.hadoop.fs.s3a.access.key").asText());
                assertEquals("(redacted)", sparkSettings.get("spark.hadoop.fs.s3a.secret.key").asText());
                assertEquals("(redacted)", sparkSettings.get("spark.executorEnv.AWS_ACCESS_KEY_ID").asText());
                assertEquals("(redacted)", sparkSettings.get("spark.executorEnv.AWS_SECRET_ACCESS_KEY").asText());
                assertEquals(s3.endpoint(), sparkSettings.get("spark.hadoop.fs.s3a.endpoint").asText());
                // Every temporary name and every moved-aside .old copy was renamed away or deleted.
                for (LocatedFileStatus f : list(fs, "runs/x")) {
                    assertFalse(f.getPath().getName().endsWith(".tmp") || f.getPath().toString().contains(".old"),
                            "left behind in the run directory: " + f.getPath());
                }

                // 2. embed: credentials from the AWS environment variables.
                run(dir, "embed", sparkHadoop(s3.s3aEndpointSettings()),
                        Map.of("AWS_ACCESS_KEY_ID", s3.accessKey(), "AWS_SECRET_ACCESS_KEY", s3.secretKey()), null,
                        "embed", "--checkpoint", ROOT + "/runs/x", "--dataset", "fmnist",
                        "--data-root", ROOT + "/fmnist", "--output", ROOT + "/runs/e.parquet");
                assertTrue(fs.exists(path("runs/e.parquet/_SUCCESS")), "embed committed its Parquet output");

                // 3. evaluate: credentials in a core-site.xml on the class path (HADOOP_CONF_DIR, SPARK_CONF_DIR).
                Map<String, String> coreSite = new LinkedHashMap<>(s3.s3aEndpointSettings());
                coreSite.put("fs.s3a.access.key", s3.accessKey());
                coreSite.put("fs.s3a.secret.key", s3.secretKey());
                run(dir, "evaluate", Map.of(), Map.of(), coreSiteDir(dir, coreSite),
                        "evaluate", "--embeddings", ROOT + "/runs/e.parquet", "--dataset", "fmnist",
                        "--output", ROOT + "/runs/eval.json");
                JsonNode eval = new ObjectMapper().readTree(read(fs, "runs/eval.json"));
                assertEquals(zeroShotTestImages(fmnist), eval.get("queries").asInt(),
                        "every test image of classes 5-9 in the uploaded subset embedded and evaluated");
                assertTrue(eval.get("recall").get("1").asDouble() > 0.3, eval.toString());

                for (String secret : List.of(s3.accessKey(), s3.secretKey())) {
                    for (LocatedFileStatus f : list(fs, "runs")) {
                        byte[] bytes;
                        try (var in = fs.open(f.getPath())) {
                            bytes = in.readAllBytes();
                        }
                        assertFalse(new String(bytes, StandardCharsets.ISO_8859_1).contains(secret),
                                "a credential is in " + f.getPath());
                    }
                    for (String command : List.of("train", "embed", "evaluate")) {
                        assertFalse(Files.readString(dir.resolve(command + ".log")).contains(secret),
                                "a credential is in the log of " + command);
                    }
                }
            }
        }
    }

    /** The test's own S3A client: credentials set directly, a new instance rather than the JVM's cached one. */
    private static Configuration testClientConf(LocalS3 s3) {
        Configuration conf = new Configuration();
        s3.s3aEndpointSettings().forEach(conf::set);
        conf.set("fs.s3a.access.key", s3.accessKey());
        conf.set("fs.s3a.secret.key", s3.secretKey());
        return conf;
    }

    private static Map<String, String> sparkHadoop(Map<String, String> hadoop) {
        Map<String, String> spark = new LinkedHashMap<>();
        hadoop.forEach((k, v) -> spark.put("spark.hadoop." + k, v));
        return spark;
    }

    private static Path coreSiteDir(Path dir, Map<String, String> properties) throws IOException {
        Path conf = Files.createDirectories(dir.resolve("hadoop-conf"));
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\"?>\n<configuration>\n");
        properties.forEach((k, v) -> xml.append("  <property><name>").append(k).append("</name><value>").append(v)
                .append("</value></property>\n"));
        Files.writeString(conf.resolve("core-site.xml"), xml.append("</configuration>\n"));
        return conf;
    }

    /**
     * Runs the entry point in a JVM of its own in local[2] with the given Spark system properties, extra environment
     * and, when given, a configuration folder in front of the class path; fails with the log's tail unless it exits 0.
     */
    private static void run(Path dir, String name, Map<String, String> sparkConf, Map<String, String> env,
                            Path confDir, String... args) throws Exception {
        Path log = dir.resolve(name + ".log");
        Path log4j = dir.resolve("log4j2.properties");
        // Wider than the job's own logging (WARN outside the job's packages), so that the credential check sees more.
        Files.writeString(log4j, "rootLogger.level = info\nrootLogger.appenderRef.out.ref = out\n"
                + "appender.console.type = Console\nappender.console.name = out\n"
                + "appender.console.layout.type = PatternLayout\n"
                + "appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n%ex\n");
        List<String> command = new ArrayList<>(List.of(StandaloneCluster.javaBinary(), "-Xmx2g"));
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-opens") || arg.startsWith("-Djdk.reflect")
                    || arg.startsWith("-Dorg.deeplearning4j")) {
                command.add(arg);
            }
        }
        command.add("-Dspark.master=local[2]");
        command.add("-Dlog4j2.configurationFile=" + log4j);
        sparkConf.forEach((k, v) -> command.add("-D" + k + "=" + v));
        String classPath = System.getProperty("java.class.path");
        command.addAll(List.of("-cp", confDir == null ? classPath : confDir + File.pathSeparator + classPath,
                Main.class.getName()));
        command.addAll(List.of(args));

        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        // Only the route under test may supply credentials, whatever the machine running the build has set.
        pb.environment().keySet().removeIf(k -> k.startsWith("AWS_") || k.equals("HADOOP_CONF_DIR"));
        pb.environment().putAll(Map.of("OMP_NUM_THREADS", "1", "SPARK_LOCAL_IP", "127.0.0.1"));
        pb.environment().putAll(env);
        Process process = pb.start();
        try {
            assertTrue(process.waitFor(5, TimeUnit.MINUTES), name + " did not finish in 5 minutes: " + tail(log));
            assertEquals(0, process.exitValue(), name + " failed: " + tail(log));
        } finally {
            process.destroyForcibly();
        }
    }

    private static org.apache.hadoop.fs.Path path(String key) {
        return new org.apache.hadoop.fs.Path(ROOT + "/" + key);
    }

    private static String read(FileSystem fs, String key) throws IOException {
        try (var in = fs.open(path(key))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static List<LocatedFileStatus> list(FileSystem fs, String key) throws IOException {
        List<LocatedFileStatus> files = new ArrayList<>();
        RemoteIterator<LocatedFileStatus> it = fs.listFiles(path(key), true);
        while (it.hasNext()) {
            files.add(it.next());
        }
        return files;
    }

    /** Test images of classes 5-9 among the first TEST_RECORDS of the local label file: fmnist's zero-shot set. */
    private static int zeroShotTestImages(Path fmnist) throws IOException {
        try (DataInputStream in = new DataInputStream(new GZIPInputStream(
                Files.newInputStream(fmnist.resolve("t10k-labels-idx1-ubyte.gz"))))) {
            in.readInt();
            in.readInt();
            int count = 0;
            for (byte label : in.readNBytes(TEST_RECORDS)) {
                count += label >= 5 ? 1 : 0;
            }
            return count;
        }
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log).stream()
                .filter(l -> !l.strip().startsWith("at ") && l.length() < 2000).toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }
}
