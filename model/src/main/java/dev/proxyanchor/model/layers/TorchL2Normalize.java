package dev.proxyanchor.model.layers;

import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InvalidInputTypeException;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The official embedding head's {@code l2_norm}: each row divided by {@code sqrt(sum x^2 + eps)}, run by
 * {@link TorchL2NormalizeImpl}. DL4J's {@code L2NormalizeVertex} divides by {@code max(|x|, eps)} instead, a
 * different function wherever eps matters; the official wrappers disagree on eps (1e-12 for the ResNets and
 * BN-Inception, 1e-5 for GoogLeNet), so the head takes it from the backbone.
 */
public class TorchL2Normalize extends GraphVertex {

    private double eps;

    /** For JSON and Java deserialisation. */
    protected TorchL2Normalize() {
    }

    public TorchL2Normalize(double eps) {
        if (!(eps >= 0)) {
            throw new IllegalArgumentException("L2 normalisation epsilon must be >= 0, got " + eps);
        }
        this.eps = eps;
    }

    public double getEps() {
        return eps;
    }

    public void setEps(double eps) {
        this.eps = eps;
    }

    @Override
    public TorchL2Normalize clone() {
        return new TorchL2Normalize(eps);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TorchL2Normalize other && Double.compare(other.eps, eps) == 0;
    }

    @Override
    public int hashCode() {
        return 31 * TorchL2Normalize.class.hashCode() + Double.hashCode(eps);
    }

    @Override
    public long numParams(boolean backprop) {
        return 0;
    }

    @Override
    public int minVertexInputs() {
        return 1;
    }

    @Override
    public int maxVertexInputs() {
        return 1;
    }

    @Override
    public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(ComputationGraph graph, String name, int idx,
            INDArray paramsView, boolean initializeParams, DataType networkDatatype) {
        return new TorchL2NormalizeImpl(graph, name, idx, eps, networkDatatype);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType... vertexInputs) throws InvalidInputTypeException {
        if (vertexInputs.length != 1 || vertexInputs[0].getType() != InputType.Type.FF) {
            throw new InvalidInputTypeException("the L2 normalisation takes one B x D input, got "
                    + java.util.Arrays.toString(vertexInputs));
        }
        return vertexInputs[0];
    }

    @Override
    public MemoryReport getMemoryReport(InputType... inputTypes) {
        InputType out = getOutputType(-1, inputTypes);
        long perExample = out.arrayElementsPerExample();
        return new LayerMemoryReport.Builder(null, TorchL2Normalize.class, inputTypes[0], out)
                .standardMemory(0, 0)
                .workingMemory(0, 1, 0, perExample + 1)
                .cacheMemory(0, 0)
                .build();
    }

    @Override
    public String toString() {
        return "TorchL2Normalize(eps=" + eps + ")";
    }
}
