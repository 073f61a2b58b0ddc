package dev.proxyanchor.spark.bench;

import dev.proxyanchor.model.EmbeddingNetwork;
import dev.proxyanchor.model.backbones.Backbone;
import dev.proxyanchor.model.backbones.Backbones;
import dev.proxyanchor.model.recipe.Recipe;
import dev.proxyanchor.spark.train.BatchDescriptor;
import dev.proxyanchor.spark.train.DescriptorLoader;
import dev.proxyanchor.spark.train.SparkTrainer;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Training throughput through the real Spark path: SparkComputationGraph with parameter averaging over
 * {@code workers} workers, each step one global batch split across them, random images decoded on the executors.
 * A first fit warms the JVMs up and is not timed.
 */
public final class SparkTrainingBenchmark {

    private SparkTrainingBenchmark() {
    }

    public static OneJvmTrainingBenchmark.Result run(JavaSparkContext jsc, String model, int batchSize, int workers,
                                                     int averagingFrequency, int numProxies, int embeddingSize,
                                                     int warmupSteps, int steps) {
        Recipe recipe = Recipe.builder().model(model).embeddingSize(embeddingSize).numProxies(numProxies).warm(0)
                .bnFreeze(false).lr(1e-4).build();
        Backbone backbone = Backbones.create(model);
        InputType.InputTypeConvolutional shape = (InputType.InputTypeConvolutional) backbone.inputType();
        SparkComputationGraph graph = new SparkComputationGraph(jsc,
                EmbeddingNetwork.create(recipe, backbone, DataType.FLOAT),
                SparkTrainer.trainingMaster(workers, batchSize / workers, averagingFrequency, 2, 1));
        DescriptorLoader loader = new DescriptorLoader(
                new RandomImages(shape.getChannels(), shape.getHeight(), shape.getWidth()), numProxies);
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
