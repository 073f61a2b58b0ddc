package dev.proxyanchor.model.layers;

import dev.proxyanchor.model.kernels.ReluKernels;
import dev.proxyanchor.model.runtime.ContiguousFloats;
import java.util.Arrays;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.BaseGraphVertex;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * {@link ResidualRelu}: out = max(a + b, 0) and, backward, the incoming gradient where out > 0 for both a and b. On
 * ND4J's CPU backend in float32 each way is one sweep ({@link ReluKernels}); anything else (float64 gradient checks,
 * GPU arrays) runs ND4J operations.
 */
public class ResidualReluImpl extends BaseGraphVertex {

    /** The last forward pass's output, whose positive entries are the ReLU's mask. */
    private INDArray output;

    public ResidualReluImpl(ComputationGraph graph, String name, int vertexIndex, DataType dataType) {
        super(graph, name, vertexIndex, null, null, dataType);
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
            throw new IllegalStateException("vertex " + vertexName + ": inputs not set");
        }
        INDArray a = inputs[0];
        INDArray b = inputs[1];
        if (!Arrays.equals(a.shape(), b.shape())) {
            throw new IllegalArgumentException("vertex " + vertexName + ": the residual sum's inputs differ in shape, "
                    + Arrays.toString(a.shape()) + " and " + Arrays.toString(b.shape()));
        }
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, a.shape(), 'c');
        if (ContiguousFloats.all(a, b, out)) {
            ReluKernels.sumForward(a, b, out);
        } else {
            out.assign(a.castTo(dataType)).addi(b.castTo(dataType));
            Transforms.relu(out, false);
        }
        output = out;
        return out;
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
        if (!canDoBackward() || output == null) {
            throw new IllegalStateException("vertex " + vertexName + ": backward without a forward pass");
        }
        INDArray first = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, output.shape(), 'c');
        INDArray second = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, output.shape(), 'c');
        if (ContiguousFloats.all(output, epsilon, first, second)) {
            ReluKernels.backwardToBoth(output, epsilon, first, second);
        } else {
            first.assign(epsilon.castTo(dataType).mul(output.gt(0).castTo(dataType)));
            second.assign(first);
        }
        return new Pair<>(null, new INDArray[] {first, second});
    }

    @Override
    public void setBackpropGradientsViewArray(INDArray backpropGradientsViewArray) {
        if (backpropGradientsViewArray != null) {
            throw new IllegalArgumentException("vertex " + vertexName + " has no parameters");
        }
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArrays(INDArray[] maskArrays, MaskState currentMaskState,
            int minibatchSize) {
        return new Pair<>(maskArrays == null ? null : maskArrays[0], currentMaskState);
    }

    @Override
    public void clear() {
        super.clear();
        output = null;
    }

    @Override
    public String toString() {
        return "ResidualReluImpl(name=" + vertexName + ")";
    }
}
