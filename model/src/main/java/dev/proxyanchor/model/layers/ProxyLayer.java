package dev.proxyanchor.model.layers;

import dev.proxyanchor.model.kernels.UnitNorm;
import java.util.Collection;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The trainable proxies: a C x D weight matrix P, one row per training class. Its output is a B x C matrix comparing
 * each normalised embedding with each normalised proxy, as the loss after it needs ({@link Output}): the cosine
 * similarities for Proxy-Anchor, the squared distances for Proxy_NCA. The proxies are
 * initialised by the layer's weight initialisation, which the loss's {@code ProxyHead} sets (Proxy-Anchor's: N(0, 2/C),
 * Kaiming normal with fan-out as the official code), and have no bias.
 *
 * <p>Configuration side of a custom DL4J layer (the implementation is {@link ProxyLayerImpl}); DL4J's
 * {@code SameDiffLayer} is avoided on purpose: in 1.0.0-M2.1 its gradients come out 2x too large.
 */
public class ProxyLayer extends FeedForwardLayer {

    /** Parameter key of the proxies. */
    public static final String PROXIES = "P";

    /** Inside the square root of the L2 norm, as the official code's l2_norm. */
    public static final double NORM_EPS = UnitNorm.EPS;

    /** What the layer outputs for each (embedding, proxy) pair, and how it normalises both. */
    public enum Output {
        /** Proxy-Anchor's: {@code x/sqrt(|x|^2 + 1e-12) . p/sqrt(|p|^2 + 1e-12)}. */
        COSINE(UnitNorm.ROOT_WITH_EPSILON),
        /**
         * Proxy_NCA's, as pytorch-metric-learning computes it: {@code max(0, |x^|^2 + |p^|^2 - 2 x^.p^)} with
         * {@code v^ = v / max(|v|, 1e-12)}, the squared distance of the unit vectors by expansion, clamped at 0.
         */
        SQUARED_DISTANCE(UnitNorm.CLAMPED);

        private final UnitNorm unitNorm;

        Output(UnitNorm unitNorm) {
            this.unitNorm = unitNorm;
        }

        public UnitNorm unitNorm() {
            return unitNorm;
        }
    }

    /** Configurations written before this field existed (Proxy-Anchor only) read as cosines. */
    private Output output = Output.COSINE;

    /** For JSON and Java deserialisation. */
    protected ProxyLayer() {
    }

    private ProxyLayer(Builder builder) {
        super(builder);
        this.output = builder.output;
        setActivationFn(Activation.IDENTITY.getActivationFunction());
    }

    public Output getOutput() {
        return output;
    }

    /** @param embeddingSize D, the width of the incoming embedding; @param numClasses C, one proxy each */
    public static ProxyLayer of(int embeddingSize, int numClasses) {
        return new Builder().nIn(embeddingSize).nOut(numClasses).build();
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
            Collection<TrainingListener> trainingListeners, int layerIndex, INDArray layerParamsView,
            boolean initializeParams, DataType networkDataType) {
        return LayerWiring.wire(new ProxyLayerImpl(conf, networkDataType), conf, trainingListeners, layerIndex,
                layerParamsView, initializeParams);
    }

    @Override
    public ParamInitializer initializer() {
        return ProxyParamInitializer.INSTANCE;
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return InputType.feedForward(getNOut());
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        long numParams = initializer().numParams(this);
        long updaterState = getIUpdater() == null ? 0 : getIUpdater().stateSize(numParams);
        return new LayerMemoryReport.Builder(layerName, ProxyLayer.class, inputType, getOutputType(-1, inputType))
                .standardMemory(numParams, updaterState)
                .workingMemory(0, getNIn(), 0, getNIn() + 2 * getNOut())
                .cacheMemory(MemoryReport.CACHE_MODE_ALL_ZEROS, MemoryReport.CACHE_MODE_ALL_ZEROS)
                .build();
    }

    @Override
    public ProxyLayer clone() {
        return (ProxyLayer) super.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProxyLayer other && super.equals(o) && other.output == output;
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + output.hashCode();
    }

    public static final class Builder extends FeedForwardLayer.Builder<Builder> {
        private Output output = Output.COSINE;

        public Builder output(Output output) {
            this.output = output;
            return this;
        }

        @Override
        @SuppressWarnings("unchecked")
        public ProxyLayer build() {
            return new ProxyLayer(this);
        }
    }
}
