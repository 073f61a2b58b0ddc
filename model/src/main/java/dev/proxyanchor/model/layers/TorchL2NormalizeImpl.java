package dev.proxyanchor.model.layers;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.BaseGraphVertex;
import org.deeplearning4j.nn.graph.vertex.VertexIndices;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * y = x / n with n = sqrt(sum x^2 + eps) per row. Backward, with g = dL/dy: dL/dx = (g - y * rowsum(y .* g)) / n,
 * which holds for any eps because dn/dx = x / n. A B x D head: ND4J ops, no kernel of its own.
 */
public class TorchL2NormalizeImpl extends BaseGraphVertex {

    private final double eps;

    public TorchL2NormalizeImpl(ComputationGraph graph, String name, int vertexIndex, double eps, DataType dataType) {
        super(graph, name, vertexIndex, (VertexIndices[]) null, (VertexIndices[]) null, dataType);
        this.eps = eps;
    }

    @Override
    public boolean hasLayer() {
        return false;
    }

    @Override
    public Layer getLayer() {
        return null;
    }

    @Override
    public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (!canDoForward()) {
            throw new IllegalStateException("cannot do forward pass: input not set (" + vertexName + ")");
        }
        INDArray x = rows(inputs[0]);
        INDArray norms = norms(x);
        try (MemoryWorkspace ws = workspaceMgr.notifyScopeBorrowed(ArrayType.ACTIVATIONS)) {
            return x.divColumnVector(norms);
        }
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
        if (!canDoBackward()) {
            throw new IllegalStateException("cannot do backward pass: errors not set (" + vertexName + ")");
        }
        INDArray x = rows(inputs[0]);
        INDArray norms = norms(x);
        INDArray y = x.divColumnVector(norms);
        INDArray g = epsilon.castTo(x.dataType());
        INDArray along = y.mul(g).sum(true, 1);
        try (MemoryWorkspace ws = workspaceMgr.notifyScopeBorrowed(ArrayType.ACTIVATION_GRAD)) {
            return new Pair<>(null, new INDArray[] {g.sub(y.mulColumnVector(along)).diviColumnVector(norms)});
        }
    }

    private INDArray rows(INDArray input) {
        if (input.rank() != 2) {
            throw new IllegalArgumentException("the L2 normalisation " + vertexName + " expects B x D rows, got shape "
                    + java.util.Arrays.toString(input.shape()));
        }
        return input;
    }

    /** The B x 1 column sqrt(sum x^2 + eps). */
    private INDArray norms(INDArray x) {
        return Transforms.sqrt(x.mul(x).sum(true, 1).addi(eps), false);
    }

    @Override
    public void setBackpropGradientsViewArray(INDArray backpropGradientsViewArray) {
        if (backpropGradientsViewArray != null) {
            throw new IllegalArgumentException("the L2 normalisation has no parameters (" + vertexName + ")");
        }
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArrays(INDArray[] maskArrays, MaskState currentMaskState,
            int minibatchSize) {
        return new Pair<>(maskArrays == null || maskArrays.length == 0 ? null : maskArrays[0], currentMaskState);
    }

    @Override
    public String toString() {
        return "TorchL2Normalize(id=" + vertexIndex + ",name=\"" + vertexName + "\",eps=" + eps + ")";
    }
}
