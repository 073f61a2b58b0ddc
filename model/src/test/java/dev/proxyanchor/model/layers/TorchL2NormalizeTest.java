package dev.proxyanchor.model.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.distribution.UniformDistribution;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The official {@code l2_norm}, x / sqrt(sum x^2 + eps), on rows small enough for eps to matter (|x|^2 about eps,
 * where DL4J's x / max(|x|, eps) would return the rows unchanged), forward against a loop and backward against
 * DL4J's numerical gradient check.
 */
class TorchL2NormalizeTest {

    private static final double EPS = 1e-5;

    private static ComputationGraph graph(DataType type) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                .dataType(type).seed(3).updater(new NoOp())
                .graphBuilder()
                .addInputs("in")
                .setInputTypes(InputType.feedForward(5))
                .addLayer("dense", new DenseLayer.Builder().nIn(5).nOut(4).activation(Activation.IDENTITY)
                        .weightInit(new UniformDistribution(-1, 1)).biasInit(0.0).build(), "in")
                .addVertex("l2", new TorchL2Normalize(EPS), "dense")
                .addLayer("loss", new LossLayer.Builder(LossFunctions.LossFunction.MSE)
                        .activation(Activation.IDENTITY).build(), "l2")
                .setOutputs("loss")
                .build();
        assertEquals(conf, ComputationGraphConfiguration.fromJson(conf.toJson()));
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        return graph;
    }

    private static INDArray smallRows(DataType type) {
        Nd4j.getRandom().setSeed(11);
        return Nd4j.randn(type, 6, 5).muli(2e-3);
    }

    @Test
    void forwardDividesBySqrtOfSquaresPlusEps() {
        ComputationGraph graph = graph(DataType.DOUBLE);
        INDArray input = smallRows(DataType.DOUBLE);
        INDArray dense = graph.feedForward(new INDArray[] {input}, false, false).get("dense").dup();
        INDArray normalised = graph.feedForward(new INDArray[] {input}, false, false).get("l2");
        double largestShrink = 0;
        for (int r = 0; r < dense.rows(); r++) {
            double squares = 0;
            for (int c = 0; c < dense.columns(); c++) {
                squares += dense.getDouble(r, c) * dense.getDouble(r, c);
            }
            double norm = Math.sqrt(squares + EPS);
            largestShrink = Math.max(largestShrink, 1 - Math.sqrt(squares) / norm);
            for (int c = 0; c < dense.columns(); c++) {
                assertEquals(dense.getDouble(r, c) / norm, normalised.getDouble(r, c), 1e-15, "row " + r);
            }
        }
        assertTrue(largestShrink > 0.05, "eps must matter for these rows, shrink " + largestShrink);
    }

    @Test
    void float32MatchesFloat64() {
        INDArray input = smallRows(DataType.DOUBLE);
        ComputationGraph reference = graph(DataType.DOUBLE);
        ComputationGraph single = graph(DataType.FLOAT);
        single.setParams(reference.params().castTo(DataType.FLOAT));
        INDArray expected = reference.feedForward(new INDArray[] {input}, false, false).get("l2");
        INDArray actual = single.feedForward(new INDArray[] {input.castTo(DataType.FLOAT)}, false, false).get("l2");
        assertTrue(expected.castTo(DataType.FLOAT).equalsWithEps(actual, 1e-6), actual + " vs " + expected);
    }

    @Test
    void gradientsMatchNumericalOnes() {
        DataType previous = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            ComputationGraph graph = graph(DataType.DOUBLE);
            INDArray labels = Nd4j.randn(DataType.DOUBLE, 6, 4).muli(0.5);
            boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig()
                    .net(graph)
                    .inputs(new INDArray[] {smallRows(DataType.DOUBLE)})
                    .labels(new INDArray[] {labels})
                    .epsilon(1e-9)
                    .maxRelError(1e-5)
                    .minAbsoluteError(1e-10)
                    .print(GradientCheckUtil.PrintMode.FAILURES_ONLY));
            assertTrue(ok, "gradient check failed (see the log for the failing parameters)");
        } finally {
            Nd4j.setDefaultDataTypes(previous, previous);
        }
    }
}
