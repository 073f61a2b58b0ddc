package dev.proxyanchor.model.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link ResidualRelu} against DL4J's Add vertex followed by a ReLU activation layer, in float64: the loss and every
 * parameter's gradient of a small network in which two convolutions feed the sum, in float32 (the one-sweep kernels,
 * within 1e-5 of the largest magnitude) and in float64 (ND4J operations, to rounding); and the configuration survives
 * JSON.
 */
class ResidualReluTest {

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void matchesDl4jsAddAndRelu(DataType type) {
        ComputationGraph reference = network(DataType.DOUBLE, false);
        ComputationGraph ours = network(type, true);
        Nd4j.getRandom().setSeed(11);
        reference.setParams(Nd4j.randn(DataType.DOUBLE, 1, reference.numParams()).muli(0.3));
        reference.paramTable().forEach((name, value) -> ours.setParam(name, value.castTo(type)));
        INDArray x = Nd4j.randn(DataType.DOUBLE, 3, 2, 6, 6);
        INDArray y = Nd4j.randn(DataType.DOUBLE, 3, 4);

        Map<String, INDArray> expected = gradients(reference, x, y);
        Map<String, INDArray> actual = gradients(ours, x.castTo(type), y.castTo(type));
        double tolerance = type == DataType.FLOAT ? 1e-5 : 1e-12;
        assertEquals(reference.score(), ours.score(), tolerance * Math.abs(reference.score()), "loss");
        assertEquals(expected.keySet(), actual.keySet());
        for (String param : expected.keySet()) {
            double scale = Math.max(1e-6, expected.get(param).amaxNumber().doubleValue());
            double diff = expected.get(param).sub(actual.get(param)).amaxNumber().doubleValue();
            assertTrue(diff <= tolerance * scale, param + ": max |diff| " + diff + " vs max |value| " + scale);
        }
    }

    @Test
    void survivesJson() {
        ComputationGraphConfiguration conf = configuration(DataType.FLOAT, true);
        assertEquals(conf, ComputationGraphConfiguration.fromJson(conf.toJson()));
    }

    private static ComputationGraph network(DataType type, boolean ours) {
        ComputationGraph graph = new ComputationGraph(configuration(type, ours));
        graph.init();
        return graph;
    }

    /** Two 3x3 convolutions of the input, relu(sum), GAP + GMP, dense, MSE. */
    private static ComputationGraphConfiguration configuration(DataType type, boolean ours) {
        GraphBuilder g = GraphFixtures.graph(type, 6, 2);
        for (String conv : new String[] {"branch", "identity"}) {
            g.addLayer(conv, new ConvolutionLayer.Builder(3, 3).nIn(2).nOut(5).padding(1, 1)
                    .convolutionMode(ConvolutionMode.Truncate).activation(Activation.IDENTITY).build(), "input");
        }
        if (ours) {
            g.addVertex("relu", new ResidualRelu(), "branch", "identity");
        } else {
            g.addVertex("add", new ElementWiseVertex(ElementWiseVertex.Op.Add), "branch", "identity");
            g.addLayer("relu", new ActivationLayer.Builder().activation(Activation.RELU).build(), "add");
        }
        GraphFixtures.addHead(g, "relu", 5, 4);
        return g.build();
    }

    private static Map<String, INDArray> gradients(ComputationGraph graph, INDArray x, INDArray y) {
        graph.setInputs(x);
        graph.setLabels(y);
        graph.computeGradientAndScore();
        Map<String, INDArray> out = new java.util.TreeMap<>();
        graph.gradient().gradientForVariable().forEach((k, v) -> out.put(k, v.castTo(DataType.DOUBLE).dup()));
        return out;
    }
}
