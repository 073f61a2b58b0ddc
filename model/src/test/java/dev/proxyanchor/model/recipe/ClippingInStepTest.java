package dev.proxyanchor.model.recipe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxyanchor.model.EmbeddingNetwork;
import dev.proxyanchor.model.TestNetworks;
import dev.proxyanchor.model.optim.TorchAdam;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;

/**
 * AdamW clips the gradient inside its step ({@link Optimizer#clipsInStep}); the network must train exactly as it did
 * when DL4J's gradient normalization clipped before the step: the float32 sweep and the float64 ND4J path alike, with
 * a clip value small enough that most elements are clipped.
 */
class ClippingInStepTest {

    private static final double CLIP = 1e-3;

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void adamWClippingInItsStepTrainsAsDl4jsClippingBeforeIt(DataType type) {
        Recipe recipe = TestNetworks.tinyRecipe().optimizer(Optimizer.ADAMW).warm(0).clipValue(CLIP).build();
        ComputationGraph inStep = network(recipe, type, false);
        ComputationGraph byDl4j = network(recipe, type, true);
        assertTrue(layers(inStep.getConfiguration()).allMatch(l -> l.getGradientNormalization()
                == GradientNormalization.None && ((TorchAdam) l.getIUpdater()).getClipValue() == CLIP));
        for (int step = 0; step < 4; step++) {
            DataSet batch = TestNetworks.batch(12, 3, step, type);
            inStep.fit(batch);
            byDl4j.fit(batch);
            assertEquals(byDl4j.score(), inStep.score(), 0.0, "loss at step " + step);
            assertArrayEquals(byDl4j.params().toDoubleVector(), inStep.params().toDoubleVector(), 0.0,
                    "parameters after step " + step);
        }
    }

    /** The recipe's network; {@code dl4jClips}: moved back to DL4J's clipping before an unclipping AdamW step. */
    private static ComputationGraph network(Recipe recipe, DataType type, boolean dl4jClips) {
        ComputationGraphConfiguration conf = EmbeddingNetwork.configuration(recipe, TestNetworks.tinyCnn(), type);
        if (dl4jClips) {
            layers(conf).filter(l -> l.getIUpdater() instanceof TorchAdam a && a.getClipValue() > 0).forEach(l -> {
                l.setIUpdater(((TorchAdam) l.getIUpdater()).withClipValue(0));
                l.setGradientNormalization(GradientNormalization.ClipElementWiseAbsoluteValue);
                l.setGradientNormalizationThreshold(CLIP);
            });
        }
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        return graph;
    }

    private static java.util.stream.Stream<BaseLayer> layers(ComputationGraphConfiguration conf) {
        return conf.getVertices().values().stream()
                .filter(v -> v instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof BaseLayer)
                .map(v -> (BaseLayer) ((LayerVertex) v).getLayerConf().getLayer())
                .filter(l -> l.getIUpdater() instanceof TorchAdam);
    }
}
