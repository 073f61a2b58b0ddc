package dev.proxyanchor.model.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxyanchor.model.EmbeddingNetwork;
import dev.proxyanchor.model.backbones.SmallCnn;
import dev.proxyanchor.model.layers.onednn.OneDnnConvHelper;
import dev.proxyanchor.model.recipe.Recipe;
import org.deeplearning4j.config.DL4JSystemProperties;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The fast path is the same network: the small CNN with its oneDNN convolutions and DL4J's oneDNN pooling helper gives,
 * in float32, the embeddings, loss and every parameter gradient of the same network built with the helpers off
 * (DL4J's built-in im2col code), up to float32 rounding.
 */
class OneDnnMatchesBuiltInTest {

    @Test
    void helpersAndBuiltInLayersAgreeOnEmbeddingsLossAndGradients() {
        Recipe recipe = Recipe.builder().model(SmallCnn.NAME).embeddingSize(16).numClasses(5).seed(3).build();
        ComputationGraph fast = EmbeddingNetwork.create(recipe, new SmallCnn(), DataType.FLOAT);
        ComputationGraph builtIn = withHelpersDisabled(() -> EmbeddingNetwork.create(recipe, new SmallCnn(),
                DataType.FLOAT));
        builtIn.setParams(fast.params().dup());
        assertInstanceOf(OneDnnConvHelper.class, ((ConvolutionLayer) fast.getLayer("block2_conv")).getHelper(),
                "oneDNN convolution engaged");
        assertNotNull(((SubsamplingLayer) fast.getLayer("block2_pool")).getHelper(), "oneDNN helper engaged");
        assertNull(((ConvolutionLayer) builtIn.getLayer("block2_conv")).getHelper(), "built-in path");

        Nd4j.getRandom().setSeed(9);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, 32, 5);
        for (int i = 0; i < 32; i++) {
            labels.putScalar(i, i % 5, 1f);
        }
        DataSet images = new DataSet(Nd4j.rand(DataType.FLOAT, 32, 1, 28, 28), labels);

        INDArray fastEmbedding = fast.outputSingle(false, images.getFeatures());
        INDArray builtInEmbedding = builtIn.outputSingle(false, images.getFeatures());
        assertClose(builtInEmbedding, fastEmbedding, 1e-4, "embeddings");

        fast.setInput(0, images.getFeatures());
        fast.setLabels(images.getLabels());
        builtIn.setInput(0, images.getFeatures());
        builtIn.setLabels(images.getLabels());
        fast.computeGradientAndScore();
        builtIn.computeGradientAndScore();
        assertEquals(builtIn.score(), fast.score(), 1e-4 * Math.abs(builtIn.score()), "loss");
        fast.gradient().gradientForVariable().forEach((name, g) ->
                assertClose(builtIn.gradient().getGradientFor(name), g, 1e-3, "gradient of " + name));
    }

    private static ComputationGraph withHelpersDisabled(java.util.function.Supplier<ComputationGraph> build) {
        String key = DL4JSystemProperties.DISABLE_HELPER_PROPERTY;
        String previous = System.getProperty(key);
        System.setProperty(key, "true");
        try {
            return build.get();
        } finally {
            if (previous == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, previous);
            }
        }
    }

    /** Max |difference| relative to the largest magnitude of the reference. */
    private static void assertClose(INDArray expected, INDArray actual, double tolerance, String what) {
        double scale = Math.max(expected.amaxNumber().doubleValue(), 1e-12);
        double diff = expected.sub(actual).amaxNumber().doubleValue();
        assertTrue(diff <= tolerance * scale, what + ": max |diff| " + diff + " vs max |value| " + scale);
    }
}
