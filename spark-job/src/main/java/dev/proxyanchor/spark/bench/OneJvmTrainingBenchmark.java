package dev.proxyanchor.spark.bench;

import dev.proxyanchor.model.EmbeddingNetwork;
import dev.proxyanchor.model.backbones.Backbone;
import dev.proxyanchor.model.backbones.Backbones;
import dev.proxyanchor.model.recipe.Recipe;
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

    private OneJvmTrainingBenchmark() {
    }

    public static Result run(String model, int batchSize, int numProxies, int embeddingSize, int warmup,
                             int iterations) {
        Recipe recipe = Recipe.builder().model(model).embeddingSize(embeddingSize).numProxies(numProxies).warm(0)
                .bnFreeze(false).lr(1e-4).build();
        Backbone backbone = Backbones.create(model);
        ComputationGraph graph = EmbeddingNetwork.create(recipe, backbone, DataType.FLOAT);
        DataSet batch = randomBatch(backbone.inputType(), batchSize, numProxies);
        for (int i = 0; i < warmup; i++) {
            graph.fit(batch);
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < iterations; i++) {
            graph.fit(batch);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new Result(model, batchSize, iterations, seconds, batchSize * (double) iterations / seconds);
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
