package dev.proxyanchor.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DL4J's numerical gradient check (float64) over every parameter of the whole graph: small CNN (BatchNorm in batch
 * mode, and with frozen running statistics), pooling head, embedding, L2 normalisation, proxies, Proxy-Anchor loss.
 * Every other loss is checked the same way by {@code LossesContractTest}.
 */
class GradientCheckTest {

    @ParameterizedTest(name = "bnFreeze={0}")
    @ValueSource(booleans = {false, true})
    void analyticGradientsMatchNumericalOnes(boolean bnFreeze) {
        boolean ok = GradientChecks.inDoublePrecision(() -> {
            ComputationGraph graph = GradientChecks.plainGradientGraph(EmbeddingNetwork.configuration(
                    TestNetworks.tinyRecipe().bnFreeze(bnFreeze).build(), TestNetworks.tinyCnn(), DataType.DOUBLE));
            if (bnFreeze) {
                // Running statistics away from (0, 1), so that the frozen path is not an identity map.
                for (String key : GradientChecks.runningStatistics(graph)) {
                    graph.getParam(key).assign(key.endsWith("_var")
                            ? Nd4j.rand(DataType.DOUBLE, graph.getParam(key).shape()).addi(0.5)
                            : Nd4j.randn(DataType.DOUBLE, graph.getParam(key).shape()).muli(0.1));
                }
            }
            return GradientChecks.agree(graph, TestNetworks.batch(6, 3, 7, DataType.DOUBLE));
        });
        assertTrue(ok, "gradient check failed (see the log for the failing parameters)");
    }
}
