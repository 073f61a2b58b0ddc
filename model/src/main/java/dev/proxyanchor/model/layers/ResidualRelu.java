package dev.proxyanchor.model.layers;

import java.util.Arrays;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InvalidInputTypeException;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code relu(branch + identity)}, the end of a ResNet block, as one graph vertex ({@link ResidualReluImpl}): one
 * sweep forward and one backward, which writes the masked gradient for both summands. DL4J's Add vertex followed by
 * a ReLU layer swept the feature map five times forward and backward more: the Add copies its incoming gradient once
 * for each input, and the ReLU is a pass of its own each way.
 */
public class ResidualRelu extends GraphVertex {

    private int handoffReaders;

    /**
     * How many vertices read this sum's output when it may stay in oneDNN's own layout during training, else 0 (set
     * by {@link BatchNormFolding#markFoldable}): when each input is a folded convolution's output or another such sum's,
     * and each reader a {@link OneDnnConvolution} or another such sum. The sum is element by element, so it adds
     * two maps in oneDNN's layout as it adds two in NCHW, and the wide maps between ResNet blocks are not reordered.
     */
    public int getHandoffReaders() {
        return handoffReaders;
    }

    public void setHandoffReaders(int handoffReaders) {
        this.handoffReaders = handoffReaders;
    }

    @Override
    public ResidualRelu clone() {
        ResidualRelu copy = new ResidualRelu();
        copy.handoffReaders = handoffReaders;
        return copy;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ResidualRelu other && other.handoffReaders == handoffReaders;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(ResidualRelu.class, handoffReaders);
    }

    @Override
    public long numParams(boolean backprop) {
        return 0;
    }

    @Override
    public int minVertexInputs() {
        return 2;
    }

    @Override
    public int maxVertexInputs() {
        return 2;
    }

    @Override
    public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(ComputationGraph graph, String name, int idx,
            INDArray paramsView, boolean initializeParams, DataType networkDatatype) {
        return new ResidualReluImpl(graph, name, idx, networkDatatype, handoffReaders);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType... vertexInputs) throws InvalidInputTypeException {
        if (vertexInputs.length != 2 || !vertexInputs[0].equals(vertexInputs[1])) {
            throw new InvalidInputTypeException("a residual sum needs two inputs of one shape, got "
                    + Arrays.toString(vertexInputs));
        }
        return vertexInputs[0];
    }

    @Override
    public MemoryReport getMemoryReport(InputType... inputTypes) {
        return new LayerMemoryReport.Builder(null, ResidualRelu.class, inputTypes[0], inputTypes[0])
                .standardMemory(0, 0).workingMemory(0, 0, 0, 0).cacheMemory(0, 0).build();
    }
}
