package dev.proxyanchor.model.layers.onednn;

import java.util.Collections;
import java.util.Map;
import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.ConvolutionHelper;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.util.ConvolutionUtils;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DL4J's convolution helper slot filled with oneDNN primitives that are created once per shape and keep oneDNN's own
 * blocked layouts inside each call (see {@link ConvPrimitives}). Float32 NCHW only; for anything else it returns
 * {@code null}, which makes DL4J run its built-in path (as it does for double-precision gradient checks).
 */
public final class OneDnnConvHelper implements ConvolutionHelper {

    private static final Logger log = LoggerFactory.getLogger(OneDnnConvHelper.class);

    private final boolean hasBias;
    private final boolean inputGradient;
    private final boolean relu;
    private ConvPrimitives primitives;
    /** The last shape oneDNN had no implementation for, so that it is not asked again every step. */
    private ConvGeometry rejected;
    /** How the input of the next calls arrives (null: plain NCHW), and whether the output may stay in oneDNN's. */
    private ActivationLayout inputLayout;
    private boolean ownOutputLayout;

    /**
     * @param hasBias whether the layer has a bias (DL4J hands a helper zeros in place of a missing one)
     * @param inputGradient whether backprop computes the gradient at the input (else it returns null for it)
     */
    public OneDnnConvHelper(boolean hasBias, boolean inputGradient) {
        this(hasBias, inputGradient, false);
    }

    /**
     * @param relu whether the forward pass applies a ReLU to its output (a folded BatchNorm and ReLU: see
     *             {@link ConvPrimitives}); backprop then expects the gradient after the ReLU's mask
     */
    public OneDnnConvHelper(boolean hasBias, boolean inputGradient, boolean relu) {
        this.hasBias = hasBias;
        this.inputGradient = inputGradient;
        this.relu = relu;
    }

    /**
     * How the next calls' input (and, backward, its gradient) arrives: {@code input} null for plain NCHW, else the
     * layout its producer wrote it in; and whether this convolution may write its output (and take its output's
     * gradient) in its own layout, which {@link #outputLayout()} then reports. A call that cannot run on oneDNN with
     * an input in a handed-over layout fails: DL4J's path reads NCHW only.
     */
    public void layouts(ActivationLayout input, boolean ownOutput) {
        inputLayout = input;
        ownOutputLayout = ownOutput;
    }

    /** The layout of the last call's output when it is oneDNN's own, else null (plain NCHW). */
    public ActivationLayout outputLayout() {
        return primitives == null ? null : primitives.outputLayout();
    }

    /**
     * Whether the last call's forward primitive writes, in its own layout, exactly the NCHW floats: then its output can
     * be handed over. False before the first call.
     */
    public boolean ownLayoutFits() {
        return primitives != null && primitives.ownLayoutFits();
    }

    @Override
    public boolean checkSupported() {
        return OneDnn.usable();
    }

    @Override
    public INDArray preOutput(INDArray input, INDArray weights, INDArray bias, int[] kernel, int[] strides, int[] pad,
            ConvolutionLayer.AlgoMode mode, ConvolutionLayer.FwdAlgo fwdAlgo, ConvolutionMode convolutionMode,
            int[] dilation, CNN2DFormat format, LayerWorkspaceMgr workspaceMgr) {
        if (!supported(input, weights, format)) {
            return requireNchw(false);
        }
        int[] out = ConvolutionUtils.getOutputSize(input, kernel, strides,
                convolutionMode == ConvolutionMode.Same ? null : pad, convolutionMode, dilation, CNN2DFormat.NCHW);
        int[] topLeft = topLeftPadding(input, out, kernel, strides, pad, dilation, convolutionMode);
        ConvGeometry g = geometry(input, weights, out, strides, topLeft, dilation, hasBias);
        ConvPrimitives p = primitivesFor(g, input.stride(), null);
        if (p == null) {
            return requireNchw(false);
        }
        INDArray output = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT, g.dst(), 'c');
        p.forward(address(input), address(weights), hasBias ? address(bias) : null, address(output));
        return output;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray input, INDArray weights, INDArray bias, INDArray delta,
            int[] kernel, int[] strides, int[] pad, INDArray biasGradView, INDArray weightGradView, IActivation afn,
            ConvolutionLayer.AlgoMode mode, ConvolutionLayer.BwdFilterAlgo bwdFilterAlgo,
            ConvolutionLayer.BwdDataAlgo bwdDataAlgo, ConvolutionMode convolutionMode, int[] dilation,
            CNN2DFormat format, LayerWorkspaceMgr workspaceMgr) {
        if (!supported(input, weights, format) || delta.dataType() != DataType.FLOAT
                || hasBias != (biasGradView != null)) {
            return requireNchw(true);
        }
        int[] out = {(int) delta.size(2), (int) delta.size(3)};
        int[] topLeft = topLeftPadding(input, out, kernel, strides, pad, dilation, convolutionMode);
        ConvGeometry g = geometry(input, weights, out, strides, topLeft, dilation, hasBias);
        ConvPrimitives p = primitivesFor(g, input.stride(), delta.stride());
        if (p == null) {
            return requireNchw(true);
        }
        INDArray epsilon = inputGradient
                ? workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, DataType.FLOAT, g.src(), 'c')
                : null;
        p.backward(address(input), address(weights), address(delta), epsilon == null ? null : address(epsilon),
                address(weightGradView), hasBias ? address(biasGradView) : null);
        Gradient gradient = new DefaultGradient();
        if (hasBias) {
            gradient.setGradientFor(ConvolutionParamInitializer.BIAS_KEY, biasGradView);
        }
        gradient.setGradientFor(ConvolutionParamInitializer.WEIGHT_KEY, weightGradView, 'c');
        return new Pair<>(gradient, epsilon);
    }

    @Override
    public INDArray activate(INDArray z, IActivation afn, boolean training) {
        return afn.getActivation(z, training);
    }

    @Override
    public Map<String, Long> helperMemoryUse() {
        return Collections.emptyMap();
    }

    /**
     * Null, which sends the caller to DL4J's path: only possible while nothing arrives in oneDNN's own layout (the
     * input, or backward the output's gradient when the forward pass wrote the output in it).
     */
    private <T> T requireNchw(boolean backward) {
        if (inputLayout != null || backward && ownOutputLayout) {
            throw new IllegalStateException("a convolution whose feature maps are in oneDNN's own layout cannot fall "
                    + "back to DL4J's path; run with -D" + OneDnn.HANDOFF_PROPERTY + "=false");
        }
        return null;
    }

    private static boolean supported(INDArray input, INDArray weights, CNN2DFormat format) {
        return format == CNN2DFormat.NCHW && input.dataType() == DataType.FLOAT
                && weights.dataType() == DataType.FLOAT && isPlain(weights) && OneDnn.usable();
    }

    private static boolean isPlain(INDArray a) {
        return a.ordering() == 'c' && a.elementWiseStride() == 1;
    }

    /** The primitives for this shape, or null (DL4J's path then runs) when oneDNN has no implementation for it. */
    private ConvPrimitives primitivesFor(ConvGeometry g, long[] srcStrides, long[] diffDstStrides) {
        if (g.equals(rejected)) {
            return null;
        }
        if (primitives == null || !primitives.fits(g, srcStrides, diffDstStrides, inputLayout, ownOutputLayout)) {
            try {
                primitives = new ConvPrimitives(g, srcStrides,
                        diffDstStrides == null ? contiguousStrides(g.dst()) : diffDstStrides, inputGradient, relu,
                        inputLayout, ownOutputLayout);
            } catch (RuntimeException e) {
                log.warn("oneDNN cannot run convolution {} ({}); this layer uses DL4J's path", g, e.getMessage());
                primitives = null;
                rejected = g;
            }
        }
        return primitives;
    }

    private static int[] topLeftPadding(INDArray input, int[] out, int[] kernel, int[] strides, int[] pad,
            int[] dilation, ConvolutionMode mode) {
        if (mode == ConvolutionMode.Same) {
            return ConvolutionUtils.getSameModeTopLeftPadding(out,
                    new int[] {(int) input.size(2), (int) input.size(3)}, kernel, strides, dilation);
        }
        return pad;
    }

    private static ConvGeometry geometry(INDArray input, INDArray weights, int[] out, int[] strides, int[] pad,
            int[] dilation, boolean bias) {
        return new ConvGeometry(input.size(0), input.size(1), input.size(2), input.size(3), weights.size(0),
                weights.size(2), weights.size(3), out[0], out[1], strides[0], strides[1], pad[0], pad[1],
                dilation[0] - 1L, dilation[1] - 1L, bias);
    }

    private static long[] contiguousStrides(long[] dims) {
        long[] s = new long[dims.length];
        long step = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            s[i] = step;
            step *= dims[i];
        }
        return s;
    }

    /** The address of an array's first element (views included). */
    static Pointer address(INDArray a) {
        return a.data().addressPointer();
    }
}
