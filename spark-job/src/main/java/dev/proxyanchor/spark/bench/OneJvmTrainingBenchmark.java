package dev.proxyanchor.spark.bench;

import dev.proxyanchor.model.EmbeddingNetwork;
import dev.proxyanchor.model.backbones.Backbones;
import dev.proxyanchor.model.recipe.Recipe;
import dev.proxyanchor.model.runtime.WorkspaceSizing;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Training throughput of one network in one JVM, without Spark: forward, backward and update on a fixed random
 * batch, after warm-up iterations. Data loading is excluded: this measures the compute path.
 */
public final class OneJvmTrainingBenchmark {

    public record Result(String model, int batchSize, int iterations, double seconds, double imagesPerSec) {
    }

    /**
     * The network a benchmark trains: backbone, the head of {@code loss} (an official {@code --loss} name) and, with
     * {@code bnFreeze}, the official recipe.
     */
    public record Setup(String model, String loss, int batchSize, int numProxies, int embeddingSize,
                        boolean bnFreeze) {

        /**
         * The recipe of a training step after the warm-up: every layer trains (BatchNorm's gamma and beta too, as
         * the official code releases them when the warm-up ends), BatchNorm statistics frozen with {@code bnFreeze}.
         * Train the graph in {@link #EPOCH} for that.
         */
        public Recipe recipe() {
            return Recipe.builder().model(model).loss(loss).embeddingSize(embeddingSize).numClasses(numProxies)
                    .warm(EPOCH)
                    .bnFreeze(bnFreeze).lr(1e-4).build();
        }

        /** A fresh network of {@link #recipe()}, its epoch counter past the warm-up. */
        public ComputationGraph network() {
            ComputationGraph graph = EmbeddingNetwork.create(recipe(), Backbones.create(model), DataType.FLOAT);
            graph.getConfiguration().setEpochCount(EPOCH);
            return graph;
        }
    }

    /** The epoch the benchmarks train in: the first after a one-epoch warm-up. */
    static final int EPOCH = 1;

    private OneJvmTrainingBenchmark() {
    }

    /**
     * Runs the benchmark in a fresh JVM with the machine's full thread count (OMP_NUM_THREADS removed), as a user
     * training without Spark would, and reads its result back.
     */
    public static Result runInChildJvm(Setup setup, int warmup, int iterations)
            throws java.io.IOException, InterruptedException {
        java.util.List<String> command = new java.util.ArrayList<>();
        command.add(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> !a.startsWith("-Dspark.master") && !a.startsWith("-agentlib")).toList());
        command.addAll(java.util.List.of("-cp", System.getProperty("java.class.path"),
                OneJvmTrainingBenchmark.class.getName(), setup.model(), setup.loss(), String.valueOf(setup.batchSize()),
                String.valueOf(setup.numProxies()), String.valueOf(setup.embeddingSize()),
                String.valueOf(setup.bnFreeze()), String.valueOf(warmup), String.valueOf(iterations)));
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().remove("OMP_NUM_THREADS");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        if (p.waitFor() != 0 || out.isEmpty()) {
            throw new IllegalStateException("the one-JVM benchmark process failed (exit " + p.exitValue() + ")");
        }
        String[] f = out.substring(out.lastIndexOf('\n') + 1).split(" ");
        return new Result(setup.model(), setup.batchSize(), iterations, Double.parseDouble(f[0]),
                Double.parseDouble(f[1]));
    }

    /**
     * Child-JVM entry point: prints "seconds imagesPerSec cpuSeconds", the last the process's CPU time over the timed
     * steps (on a shared machine, steps per CPU-second swing less than steps per second).
     */
    public static void main(String[] args) {
        dev.proxyanchor.model.runtime.CpuKernels.configure();
        Setup setup = new Setup(args[0], args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                Integer.parseInt(args[4]), Boolean.parseBoolean(args[5]));
        long[] cpuNanos = new long[1];
        Result r = run(setup, Integer.parseInt(args[6]), Integer.parseInt(args[7]), cpuNanos);
        System.out.println(r.seconds() + " " + r.imagesPerSec() + " " + cpuNanos[0] / 1e9);
    }

    public static Result run(Setup setup, int warmup, int iterations) {
        return run(setup, warmup, iterations, new long[1]);
    }

    /** As {@link #run(Setup, int, int)}; {@code cpuNanos[0]} receives the process's CPU time over the timed steps. */
    static Result run(Setup setup, int warmup, int iterations, long[] cpuNanos) {
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        ComputationGraph graph = setup.network();
        graph.addListeners(new WorkspaceSizing());
        DataSet batch = randomBatch(Backbones.create(setup.model()).inputType(), setup.batchSize(),
                setup.numProxies());
        for (int i = 0; i < warmup; i++) {
            graph.fit(batch);
        }
        long t0 = System.nanoTime();
        long cpu0 = os.getProcessCpuTime();
        for (int i = 0; i < iterations; i++) {
            graph.fit(batch);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        cpuNanos[0] = os.getProcessCpuTime() - cpu0;
        return new Result(setup.model(), setup.batchSize(), iterations, seconds,
                setup.batchSize() * (double) iterations / seconds);
    }

    static DataSet randomBatch(InputType inputType, int batchSize, int numProxies) {
        InputType.InputTypeConvolutional cnn = (InputType.InputTypeConvolutional) inputType;
        long[] shape = {batchSize, cnn.getChannels(), cnn.getHeight(), cnn.getWidth()};
        SplittableRandom random = new SplittableRandom(1);
        float[] pixels = new float[(int) (shape[0] * shape[1] * shape[2] * shape[3])];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) random.nextDouble();
        }
        INDArray features = Nd4j.create(pixels, shape, 'c');
        INDArray labels = Nd4j.zeros(DataType.FLOAT, batchSize, numProxies);
        for (int i = 0; i < batchSize; i++) {
            labels.putScalar(i, i % numProxies, 1f);
        }
        return new DataSet(features, labels);
    }
}
