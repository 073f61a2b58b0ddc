package dev.proxyanchor.spark.bench;

import dev.proxyanchor.model.backbones.Backbones;
import dev.proxyanchor.model.runtime.WorkspaceSizing;
import dev.proxyanchor.spark.train.BatchDescriptor;
import dev.proxyanchor.spark.train.DescriptorLoader;
import dev.proxyanchor.spark.train.InputOptions;
import dev.proxyanchor.spark.train.SparkTrainer;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;

/**
 * Training throughput through the real Spark path: SparkComputationGraph with parameter averaging over
 * {@code workers} workers, each step one global batch split across them, random images decoded on the executors.
 * A first fit warms the JVMs up and is not timed.
 */
public final class SparkTrainingBenchmark {

    private SparkTrainingBenchmark() {
    }

    public static OneJvmTrainingBenchmark.Result run(JavaSparkContext jsc, OneJvmTrainingBenchmark.Setup setup,
                                                     int workers, int averagingFrequency, int warmupSteps, int steps) {
        String model = setup.model();
        int batchSize = setup.batchSize();
        int numProxies = setup.numProxies();
        InputType.InputTypeConvolutional shape =
                (InputType.InputTypeConvolutional) Backbones.create(model).inputType();
        SparkComputationGraph graph = new SparkComputationGraph(jsc, setup.network(),
                SparkTrainer.trainingMaster(workers, batchSize / workers, averagingFrequency, 1));
        graph.setListeners(new WorkspaceSizing());
        DescriptorLoader loader = new DescriptorLoader(
                new RandomImages(shape.getChannels(), shape.getHeight(), shape.getWidth()), numProxies,
                InputOptions.defaults(), null);
        graph.fitPaths(jsc.parallelize(descriptors(warmupSteps, workers, batchSize / workers, numProxies), workers),
                loader);
        List<String> timed = descriptors(steps, workers, batchSize / workers, numProxies);
        long t0 = System.nanoTime();
        graph.fitPaths(jsc.parallelize(timed, workers), loader);
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new OneJvmTrainingBenchmark.Result(model, batchSize, steps, seconds, (double) steps * batchSize / seconds);
    }

    private static List<String> descriptors(int steps, int workers, int perWorker, int numProxies) {
        List<String> out = new ArrayList<>();
        for (int s = 0; s < steps * workers; s++) {
            String[] uris = new String[perWorker];
            int[] labels = new int[perWorker];
            long[] seeds = new long[perWorker];
            for (int i = 0; i < perWorker; i++) {
                uris[i] = "random:/" + s + "/" + i;
                labels[i] = i % numProxies;
                seeds[i] = 31L * s + i;
            }
            out.add(new BatchDescriptor(0, s, uris, labels, seeds).encode());
        }
        return out;
    }
}
