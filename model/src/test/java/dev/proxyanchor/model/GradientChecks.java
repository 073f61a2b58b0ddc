package dev.proxyanchor.model;

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
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

/**
 * DL4J's numerical gradient check (float64) over every parameter of a graph, set up as {@code GradientCheckUtil}
 * needs it: no updater, no weight decay, no clipping, BatchNorm's running statistics excluded.
 */
public final class GradientChecks {

    private GradientChecks() {
    }

    /** A float64 graph of {@code conf} (changed in place: plain gradients), initialised. */
    public static ComputationGraph plainGradientGraph(ComputationGraphConfiguration conf) {
        for (GraphVertex vertex : conf.getVertices().values()) {
            if (vertex instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof BaseLayer layer) {
                layer.setIUpdater(new NoOp());
                layer.setRegularization(List.of());
                layer.setRegularizationBias(List.of());
                layer.setGradientNormalization(GradientNormalization.None);
            }
        }
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        return graph;
    }

    /** The BatchNorm running statistics of a graph, which have no gradient. */
    public static Set<String> runningStatistics(ComputationGraph graph) {
        Set<String> keys = new HashSet<>();
        for (var entry : graph.getConfiguration().getVertices().entrySet()) {
            if (entry.getValue() instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof TorchBatchNorm) {
                keys.add(entry.getKey() + "_" + BatchNormalizationParamInitializer.GLOBAL_MEAN);
                keys.add(entry.getKey() + "_" + BatchNormalizationParamInitializer.GLOBAL_VAR);
            }
        }
        return keys;
    }

    /** Whether analytic and numerical gradients agree on {@code batch} (failures are logged). */
    public static boolean agree(ComputationGraph graph, DataSet batch) {
        return GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig()
                .net(graph)
                .inputs(new INDArray[] {batch.getFeatures()})
                .labels(new INDArray[] {batch.getLabels()})
                .epsilon(1e-6)
                .maxRelError(1e-3)
                .minAbsoluteError(1e-8)
                .print(GradientCheckUtil.PrintMode.FAILURES_ONLY)
                .excludeParams(runningStatistics(graph)));
    }

    /** Runs {@code check} with float64 as ND4J's default types, as GradientCheckUtil requires. */
    public static <T> T inDoublePrecision(java.util.function.Supplier<T> check) {
        DataType previous = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            return check.get();
        } finally {
            Nd4j.setDefaultDataTypes(previous, previous);
        }
    }
}
