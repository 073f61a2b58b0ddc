package dev.proxyanchor.spark.cluster;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Spark standalone cluster on 127.0.0.1 made of this build's own jars: a master and workers as separate JVMs,
 * with a SPARK_HOME that holds only {@code jars/} (links to the test class path) and an empty {@code RELEASE} file,
 * which is all a worker needs to launch executors.
 */
final class StandaloneCluster implements AutoCloseable {

    private final Path home;
    private final String classPath;
    private final List<Process> workers = new ArrayList<>();
    private final Process master;
    private final int masterPort;

    StandaloneCluster(Path dir, int workerCount, String workerMemory) throws Exception {
        this(dir, workerCount, workerMemory, Map.of());
    }

    /** {@code workerConf}: Spark settings of the workers, e.g. the GPUs they offer ({@code spark.worker.resource.*}). */
    StandaloneCluster(Path dir, int workerCount, String workerMemory, Map<String, String> workerConf)
            throws Exception {
        this.home = dir.resolve("spark-home");
        Files.createDirectories(home.resolve("jars"));
        Files.createFile(home.resolve("RELEASE"));
        this.classPath = System.getProperty("java.class.path");
        for (String entry : classPath.split(File.pathSeparator)) {
            Path p = Path.of(entry);
            if (entry.endsWith(".jar") && Files.exists(p)) {
                Path link = home.resolve("jars").resolve(p.getFileName());
                if (!Files.exists(link)) {
                    Files.createSymbolicLink(link, p);
                }
            }
        }
        this.masterPort = freePort();
        this.master = start(dir.resolve("master.log"), "org.apache.spark.deploy.master.Master",
                "--host", "127.0.0.1", "--port", String.valueOf(masterPort), "--webui-port", String.valueOf(freePort()));
        waitForPort(masterPort, 60);
        Path workerProperties = dir.resolve("worker.properties");
        StringBuilder properties = new StringBuilder();
        workerConf.forEach((k, v) -> properties.append(k).append('=').append(v).append('\n'));
        Files.writeString(workerProperties, properties.toString());
        for (int i = 0; i < workerCount; i++) {
            Path workDir = Files.createDirectories(dir.resolve("worker-" + i));
            workers.add(start(dir.resolve("worker-" + i + ".log"), "org.apache.spark.deploy.worker.Worker",
                    "--host", "127.0.0.1", "--cores", "1", "--memory", workerMemory,
                    "--webui-port", String.valueOf(freePort()), "--work-dir", workDir.toString(),
                    "--properties-file", workerProperties.toString(), masterUrl()));
        }
    }

    String masterUrl() {
        return "spark://127.0.0.1:" + masterPort;
    }

    String classPath() {
        return classPath;
    }

    Map<String, String> environment() {
        return Map.of("SPARK_HOME", home.toString(), "SPARK_SCALA_VERSION", "2.12", "SPARK_LOCAL_IP", "127.0.0.1");
    }

    void killWorker(int index) {
        workers.get(index).destroyForcibly();
    }

    private Process start(Path log, String mainClass, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(javaBinary(), "-Xmx512m", "-cp", classPath, mainClass));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(environment());
        return pb.start();
    }

    static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void waitForPort(int port, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException("Spark master did not listen on " + port + " within " + seconds + " s");
    }

    @Override
    public void close() throws Exception {
        for (Process w : workers) {
            w.destroy();
        }
        master.destroy();
        for (Process w : workers) {
            w.waitFor(20, TimeUnit.SECONDS);
        }
        master.waitFor(20, TimeUnit.SECONDS);
    }
}
