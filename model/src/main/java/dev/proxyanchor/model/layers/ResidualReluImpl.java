package dev.proxyanchor.model.layers;

import dev.proxyanchor.model.kernels.ReluKernels;
import dev.proxyanchor.model.runtime.ContiguousFloats;
import dev.proxyanchor.model.layers.onednn.ActivationLayout;
import dev.proxyanchor.model.layers.onednn.OneDnn;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
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
 *
 * <p>A sum marked to hand over ({@link ResidualRelu#getHandoffReaders()}) adds its inputs in oneDNN's own layout when
 * both arrive in it, and its output is then in that layout too: every operation here is element by element. Its
 * writers hand their maps over only while {@link #takesHandoffs()}: every sum connected to this one through inputs and
 * readers has linked all of its writers and readers, its convolution writers are folded on frozen statistics and its
 * convolution readers read oneDNN's layout. The writers of one sum therefore decide alike within a pass.
 */
public class ResidualReluImpl extends BaseGraphVertex implements LayoutWriter {

    private static final boolean HANDOFF = !"false".equalsIgnoreCase(System.getProperty(OneDnn.HANDOFF_PROPERTY));

    private final int handoffReaders;
    /** The last forward pass's output, whose positive entries are the ReLU's mask. */
    private INDArray output;
    /** The output's layout when the inputs arrived in oneDNN's own, else null (plain NCHW). */
    private ActivationLayout outputLayout;
    /** The vertices whose handed-over outputs are the inputs (found on first sight), and the linked readers. */
    private final LayoutWriter[] writers = new LayoutWriter[2];
    private final List<OneDnnConvolutionImpl> convolutionReaders = new ArrayList<>();
    private final List<ResidualReluImpl> sumReaders = new ArrayList<>();

    public ResidualReluImpl(ComputationGraph graph, String name, int vertexIndex, DataType dataType) {
        this(graph, name, vertexIndex, dataType, 0);
    }

    public ResidualReluImpl(ComputationGraph graph, String name, int vertexIndex, DataType dataType,
            int handoffReaders) {
        super(graph, name, vertexIndex, null, null, dataType);
        this.handoffReaders = handoffReaders;
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
        outputLayout = handedOverInputs();
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, a.shape(), 'c');
        if (ContiguousFloats.all(a, b, out)) {
            ReluKernels.sumForward(a, b, out);
        } else {
            out.assign(a.castTo(dataType)).addi(b.castTo(dataType));
            Transforms.relu(out, false);
        }
        output = out;
        if (handsOver() && convolutionReaders.size() + sumReaders.size() < handoffReaders) {
            BatchNormFolding.offerSharedHandoff(out, this);
        }
        return out;
    }

    private boolean handsOver() {
        return HANDOFF && handoffReaders > 0;
    }

    /** The layout both inputs arrive in when their writers handed them over, else null; links the writers. */
    private ActivationLayout handedOverInputs() {
        if (!handsOver()) {
            return null;
        }
        ActivationLayout[] layouts = new ActivationLayout[2];
        for (int i = 0; i < 2; i++) {
            if (writers[i] == null) {
                writers[i] = BatchNormFolding.handoffWriterOf(inputs[i]);
                if (writers[i] != null) {
                    writers[i].linkReader(this);
                }
            }
            if (writers[i] != null && writers[i].handedOverOutputLayout() != null) {
                if (writers[i].handedOverOutput() != inputs[i]) {
                    throw new IllegalStateException("vertex " + vertexName + ": input " + i + " is not the map its "
                            + "writer handed over in oneDNN's layout; run with -D" + OneDnn.HANDOFF_PROPERTY + "=false");
                }
                layouts[i] = writers[i].handedOverOutputLayout();
            }
        }
        if (layouts[0] == null && layouts[1] == null) {
            return null;
        }
        if (layouts[0] == null || !layouts[0].sameAs(layouts[1])) {
            throw new IllegalStateException("vertex " + vertexName + ": the residual sum's inputs arrive in different "
                    + "layouts; run with -D" + OneDnn.HANDOFF_PROPERTY + "=false");
        }
        return layouts[0];
    }

    /** Whether the last forward pass's output is in oneDNN's own layout. */
    boolean handedOver() {
        return outputLayout != null;
    }

    /** Whether this sum's writers may hand their maps over in this pass (see the class comment). */
    boolean takesHandoffs() {
        return regionReady(Collections.newSetFromMap(new IdentityHashMap<>()));
    }

    private boolean regionReady(Set<ResidualReluImpl> seen) {
        if (!seen.add(this)) {
            return true;
        }
        if (!handsOver() || writers[0] == null || writers[1] == null
                || convolutionReaders.size() + sumReaders.size() < handoffReaders) {
            return false;
        }
        for (LayoutWriter writer : writers) {
            boolean able = writer instanceof OneDnnConvolutionImpl conv ? conv.canHandOverToSum()
                    : ((ResidualReluImpl) writer).regionReady(seen);
            if (!able) {
                return false;
            }
        }
        return convolutionReaders.stream().allMatch(OneDnnConvolutionImpl::takesHandoffs)
                && sumReaders.stream().allMatch(sum -> sum.regionReady(seen));
    }

    @Override
    public ActivationLayout handedOverOutputLayout() {
        return outputLayout;
    }

    @Override
    public INDArray handedOverOutput() {
        return output;
    }

    @Override
    public void linkReader(OneDnnConvolutionImpl reader) {
        convolutionReaders.add(reader);
    }

    @Override
    public void linkReader(ResidualReluImpl sum) {
        sumReaders.add(sum);
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
