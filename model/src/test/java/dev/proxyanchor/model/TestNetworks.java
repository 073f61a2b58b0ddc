package dev.proxyanchor.model;

import dev.proxyanchor.model.backbones.SmallCnn;
import dev.proxyanchor.model.checkpoint.Checkpoint;
import dev.proxyanchor.model.recipe.Recipe;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/** Small networks and batches the model tests share. */
public final class TestNetworks {

    private TestNetworks() {
    }

    /** The small CNN's structure at a size where gradient checks and many optimizer steps are cheap. */
    public static SmallCnn tinyCnn() {
        return new SmallCnn(8, 8, 1, 3, 4);
    }

    public static Recipe.Builder tinyRecipe() {
        return Recipe.builder().model(SmallCnn.NAME).embeddingSize(5).numClasses(3).seed(42);
    }

    public static ComputationGraph tinyNetwork(Recipe recipe, DataType type) {
        return EmbeddingNetwork.create(recipe, tinyCnn(), type);
    }

    /** A seeded batch of 8 x 8 single-channel images with labels cycling over the classes, one-hot. */
    public static DataSet batch(int size, int classes, long seed, DataType type) {
        java.util.Random random = new java.util.Random(seed);
        double[] pixels = new double[size * 64];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = random.nextDouble();
        }
        INDArray features = Nd4j.create(pixels, new long[] {size, 1, 8, 8}, 'c').castTo(type);
        INDArray labels = Nd4j.zeros(type, size, classes);
        for (int i = 0; i < size; i++) {
            labels.putScalar(i, i % classes, 1.0);
        }
        return new DataSet(features, labels);
    }

    /** A checkpoint written to memory and read back, as a run directory holds it. */
    public static Checkpoint roundTrip(Checkpoint checkpoint) throws IOException {
        ByteArrayOutputStream model = new ByteArrayOutputStream();
        ByteArrayOutputStream state = new ByteArrayOutputStream();
        checkpoint.writeModel(model);
        checkpoint.writeState(state);
        return Checkpoint.read(new ByteArrayInputStream(model.toByteArray()),
                new ByteArrayInputStream(state.toByteArray()), "memory");
    }
}
