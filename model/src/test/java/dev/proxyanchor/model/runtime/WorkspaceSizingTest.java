package dev.proxyanchor.model.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.abstracts.Nd4jWorkspace;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class WorkspaceSizingTest {

    private static final int LAYERS = 30;

    /** What one training run on a thread of its own left: the layer workspaces after step 1, and the parameters. */
    private record Run(List<Nd4jWorkspace> layerWorkspaces, float[] params) {
    }

    @Test
    void dl4jLeavesDeepGraphsLayerWorkspacesEmptyAfterTheFirstStep() throws Exception {
        Run run = train(false, 1);
        assertTrue(run.layerWorkspaces().stream()
                        .anyMatch(w -> w.getCurrentSize() == 0 && w.getMaxCycleAllocations() > 0),
                "without the listener some layer workspace should still be unsized (DL4J sizes them after as many "
                        + "cycles as the graph has vertices)");
    }

    @Test
    void afterTheFirstStepEveryLayerWorkspaceHoldsItsLargestCycle() throws Exception {
        Run run = train(true, 1);
        assertFalse(run.layerWorkspaces().isEmpty());
        for (Nd4jWorkspace w : run.layerWorkspaces()) {
            assertTrue(w.getMaxCycleAllocations() > 0 && w.getCurrentSize() >= w.getMaxCycleAllocations(),
                    w.getId() + ": size " + w.getCurrentSize() + ", largest cycle " + w.getMaxCycleAllocations());
        }
    }

    @Test
    void sizingChangesNoResult() throws Exception {
        assertArrayEquals(train(false, 4).params(), train(true, 4).params());
    }

    /** Trains a deep chain on a fresh thread, whose workspaces no other test has sized. */
    private static Run train(boolean sizing, int steps) throws Exception {
        AtomicReference<Run> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                ComputationGraph graph = deepChain();
                if (sizing) {
                    graph.addListeners(new WorkspaceSizing());
                }
                Nd4j.getRandom().setSeed(3);
                DataSet batch = new DataSet(Nd4j.rand(DataType.FLOAT, 16, 8), Nd4j.rand(DataType.FLOAT, 16, 4));
                List<Nd4jWorkspace> afterFirst = null;
                for (int i = 0; i < steps; i++) {
                    graph.fit(batch);
                    if (i == 0) {
                        afterFirst = layerWorkspaces();
                    }
                }
                result.set(new Run(afterFirst, graph.params().toFloatVector()));
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        t.start();
        t.join();
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        return result.get();
    }

    private static List<Nd4jWorkspace> layerWorkspaces() {
        List<Nd4jWorkspace> out = new ArrayList<>();
        for (MemoryWorkspace ws : Nd4j.getWorkspaceManager().getAllWorkspacesForCurrentThread()) {
            if (ws.getId().startsWith("WS_LAYER_ACT")) {
                out.add((Nd4jWorkspace) ws);
            }
        }
        return out;
    }

    private static ComputationGraph deepChain() {
        ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder().seed(7)
                .dataType(DataType.FLOAT).updater(new Adam(1e-3)).graphBuilder().addInputs("in");
        String previous = "in";
        for (int i = 0; i < LAYERS; i++) {
            g.addLayer("d" + i, new DenseLayer.Builder().nIn(i == 0 ? 8 : 32).nOut(32)
                    .activation(Activation.RELU).build(), previous);
            previous = "d" + i;
        }
        g.addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(32).nOut(4)
                .activation(Activation.IDENTITY).build(), previous).setOutputs("out");
        ComputationGraph graph = new ComputationGraph(g.build());
        graph.init();
        return graph;
    }
}
