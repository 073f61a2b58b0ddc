package dev.proxyanchor.model.layers;

import dev.proxyanchor.model.kernels.BoxAverageKernels;
import java.util.Collection;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * PyTorch's {@code nn.AvgPool2d(k, stride=1, padding=(k - 1) / 2, count_include_pad=True)} for odd {@code k}: a
 * DL4J {@link SubsamplingLayer} (same JSON) configured so, run by {@link BoxAvgPoolingImpl}, which on float32 NCHW
 * maps uses the box filter of {@link BoxAverageKernels} in both passes instead of padding the input into a copy and
 * pooling it, and DL4J's code for anything else. {@code ceil_mode} cannot change the size of a stride-1 pool.
 */
public class BoxAvgPooling extends SubsamplingLayer {

    /** For JSON and Java deserialisation. */
    public BoxAvgPooling() {
        super();
    }

    private BoxAvgPooling(SubsamplingLayer.Builder builder) {
        super(builder);
    }

    /** The {@code kernel x kernel} pool (odd {@code kernel}). */
    public static BoxAvgPooling of(int kernel) {
        if (kernel % 2 == 0 || kernel < 1) {
            throw new IllegalArgumentException("a same-size average pool needs an odd kernel, not " + kernel);
        }
        SubsamplingLayer.Builder builder = new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.AVG)
                .kernelSize(kernel, kernel)
                .stride(1, 1)
                .padding(kernel / 2, kernel / 2)
                .convolutionMode(ConvolutionMode.Truncate)
                .avgPoolIncludePadInDivisor(true);
        builder.build();
        return new BoxAvgPooling(builder);
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
            Collection<TrainingListener> trainingListeners, int layerIndex, INDArray layerParamsView,
            boolean initializeParams, DataType networkDataType) {
        return LayerWiring.wire(new BoxAvgPoolingImpl(conf, networkDataType), conf, trainingListeners, layerIndex,
                layerParamsView, initializeParams);
    }

    @Override
    public BoxAvgPooling clone() {
        return (BoxAvgPooling) super.clone();
    }

    @Override
    public boolean equals(Object o) {
        return super.equals(o) && o instanceof BoxAvgPooling;
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + BoxAvgPooling.class.hashCode();
    }
}
