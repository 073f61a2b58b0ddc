package dev.proxyanchor.model.runtime;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.abstracts.Nd4jWorkspace;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Sizes DL4J's per-layer workspaces after the first training step instead of after the tenth.
 *
 * <p>A {@code ComputationGraph} keeps the gradients flowing between layers in workspaces {@code WS_LAYER_ACT_0, 1,
 * ...} that learn their size "over time": each takes its first block only once it has been opened as many times
 * as the graph has vertices. Each is opened a few dozen times a step, so on a backbone of a few hundred vertices it
 * stays empty for the first 5-10 steps, and every gradient map of those steps is a separate {@code malloc} and
 * {@code free}: maps over 32 MB (the stem's) are fresh {@code mmap}s whose pages the kernel zeroes on first touch,
 * about 10,000 page faults a step on BN-Inception at batch 16. After a step, this listener gives every such
 * workspace of the training thread that is still empty and not in use the block its largest cycle so far needed,
 * which is what DL4J would give it later; from then on, DL4J's own reallocation keeps it large enough.
 */
public final class WorkspaceSizing extends BaseTrainingListener implements java.io.Serializable {

    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
        sizeLearnedWorkspaces();
    }

    /** Gives every idle, still unsized, learning workspace of this thread its largest cycle so far. */
    static void sizeLearnedWorkspaces() {
        for (MemoryWorkspace ws : Nd4j.getWorkspaceManager().getAllWorkspacesForCurrentThread()) {
            if (ws instanceof Nd4jWorkspace w && !w.isScopeActive() && w.getCurrentSize() == 0
                    && w.getMaxCycleAllocations() > 0
                    && w.getWorkspaceConfiguration().getPolicyLearning() == LearningPolicy.OVER_TIME) {
                w.initializeWorkspace();
            }
        }
    }
}
