package dev.proxyanchor.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxyanchor.model.layers.TorchBatchNorm;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

/**
 * DL4J's numerical gradient check (float64) over every parameter of the whole graph: small CNN (BatchNorm in batch
 * mode, and with frozen running statistics), pooling head, embedding, L2 normalisation, proxies, Proxy-Anchor loss.
 */
class GradientCheckTest {

    private static DataType previousDefault;

    @BeforeAll
    static void doublePrecision() {
        previousDefault = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterAll
    static void restorePrecision() {
        Nd4j.setDefaultDataTypes(previousDefault, previousDefault);
    }

    @ParameterizedTest(name = "bnFreeze={0}")
    @ValueSource(booleans = {false, true})
    void analyticGradientsMatchNumericalOnes(boolean bnFreeze) {
        ComputationGraphConfiguration conf = EmbeddingNetwork.configuration(
                TestNetworks.tinyRecipe().bnFreeze(bnFreeze).build(), TestNetworks.tinyCnn(), DataType.DOUBLE);
        Set<String> runningStatistics = new HashSet<>();
        for (var entry : conf.getVertices().entrySet()) {
            GraphVertex vertex = entry.getValue();
            if (vertex instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof BaseLayer layer) {
                // GradientCheckUtil needs plain gradients: no updater, no decay, no clipping.
                layer.setIUpdater(new NoOp());
                layer.setRegularization(List.of());
                layer.setRegularizationBias(List.of());
                layer.setGradientNormalization(GradientNormalization.None);
                if (layer instanceof TorchBatchNorm) {
                    runningStatistics.add(entry.getKey() + "_" + BatchNormalizationParamInitializer.GLOBAL_MEAN);
                    runningStatistics.add(entry.getKey() + "_" + BatchNormalizationParamInitializer.GLOBAL_VAR);
                }
            }
        }
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        if (bnFreeze) {
            // Running statistics away from (0, 1), so that the frozen path is not an identity map.
            for (String key : runningStatistics) {
                graph.getParam(key).assign(key.endsWith("_var")
                        ? Nd4j.rand(DataType.DOUBLE, graph.getParam(key).shape()).addi(0.5)
                        : Nd4j.randn(DataType.DOUBLE, graph.getParam(key).shape()).muli(0.1));
            }
        }
        DataSet batch = TestNetworks.batch(6, 3, 7, DataType.DOUBLE);

        boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig()
                .net(graph)
                .inputs(new org.nd4j.linalg.api.ndarray.INDArray[] {batch.getFeatures()})
                .labels(new org.nd4j.linalg.api.ndarray.INDArray[] {batch.getLabels()})
                .epsilon(1e-6)
                .maxRelError(1e-3)
                .minAbsoluteError(1e-8)
                .print(GradientCheckUtil.PrintMode.FAILURES_ONLY)
                .excludeParams(runningStatistics));
        assertTrue(ok, "gradient check failed (see the log for the failing parameters)");
    }
}
