package dev.proxyanchor.model.layers;

import dev.proxyanchor.model.kernels.BatchNormFold;
import dev.proxyanchor.model.layers.onednn.ActivationLayout;
import dev.proxyanchor.model.layers.onednn.OneDnn;
import dev.proxyanchor.model.layers.onednn.OneDnnConvHelper;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.util.ConvolutionUtils;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DL4J's convolution layer with two changes on ND4J's CPU backend, when DL4J's layer helpers are on (CpuKernels
 * turns them on; under CUDA, DL4J's cuDNN helper stays and nothing here changes):
 * <ul>
 *   <li>its helper is {@link OneDnnConvHelper} instead of DL4J's {@code MKLDNNConvHelper};</li>
 *   <li>with an identity activation (every backbone's convolutions: BatchNorm follows) backprop hands the incoming
 *       gradient straight to the helper. DL4J's own backprop first recomputes the whole forward convolution to
 *       differentiate the activation, which for the identity is a wasted third of the layer's work.</li>
 * </ul>
 * A layer configured {@link OneDnnConvolution#withoutInputGradient()} returns {@code null} as its input gradient on
 * every path, and on oneDNN does not compute it.
 *
 * <p>On oneDNN, a BatchNorm on fixed statistics that reads this layer's output alone can be folded in
 * ({@link BatchNormFolding}): the forward pass then convolves with the BatchNorm's scale folded into the weights and
 * its shift into the bias, the ReLU as a post-op, and returns the BatchNorm's output, which the BatchNorm passes on;
 * the backward pass turns the folded convolution's gradients into both layers' own
 * ({@link BatchNormFold#unfold}). Parameters, gradients and updates stay those of the two layers. While folded, the
 * layer's own activation (the raw convolution) is not materialised: its output array holds the BatchNorm's output.
 *
 * <p>When that BatchNorm's output is read by one other such convolution and nothing else
 * ({@link TorchBatchNorm#isReadByOneConvolution()}), the two hand the map over in oneDNN's own layout during training:
 * this layer writes it as its forward primitive produced it, the reader convolves it as it is, and the map's gradient
 * comes back the same way, so neither reorders it (the BatchNorm in between only applies the ReLU's mask, element by
 * element). The two find each other as a convolution and its BatchNorm do. The same goes for a BatchNorm read by one
 * residual sum that keeps oneDNN's layout ({@link TorchBatchNorm#isReadByOneResidualSum()}, {@link ResidualReluImpl}),
 * and for a convolution reading such a sum's output. Inference keeps plain NCHW. The system property
 * {@value OneDnn#HANDOFF_PROPERTY}{@code =false} turns this off.
 */
public class OneDnnConvolutionImpl extends ConvolutionLayer implements LayoutWriter {

    private static final boolean HANDOFF = !"false".equalsIgnoreCase(System.getProperty(OneDnn.HANDOFF_PROPERTY));

    /** The BatchNorm folded into this layer, once linked (see {@link BatchNormFolding}), else null. */
    private TorchBatchNormImpl foldedBatchNorm;
    private OneDnnConvHelper foldedHelper;
    /** The folded convolution's weights and bias, and the per-channel sums of its output gradient. */
    private INDArray foldedWeights;
    private INDArray foldedBias;
    private INDArray outputGradientSums;
    /** The output of the last forward pass when it was folded, else null. */
    private INDArray foldedOutput;
    /**
     * The convolution or residual sum that alone reads this layer's folded output, and the vertex whose handed-over
     * output is its input.
     */
    private OneDnnConvolutionImpl reader;
    private ResidualReluImpl residualReader;
    private LayoutWriter writer;
    /** This pass's input and output layouts when handed over in oneDNN's own (see the class comment), else null. */
    private ActivationLayout inputLayout;
    private ActivationLayout outputLayout;

    public OneDnnConvolutionImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
        if (OneDnn.forNewLayer()) {
            helper = new OneDnnConvHelper(hasBias(), inputGradient());
        }
    }

    /** Folds {@code batchNorm}, which reads this layer's output alone, into this layer from the next forward pass. */
    void fold(TorchBatchNormImpl batchNorm) {
        foldedBatchNorm = batchNorm;
        foldedHelper = new OneDnnConvHelper(true, inputGradient(), batchNorm.foldsRelu());
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            INDArray weights = getParam(ConvolutionParamInitializer.WEIGHT_KEY);
            foldedWeights = Nd4j.createUninitialized(DataType.FLOAT, weights.shape(), 'c');
            foldedBias = Nd4j.createUninitialized(DataType.FLOAT, weights.size(0));
            outputGradientSums = Nd4j.createUninitialized(DataType.FLOAT, weights.size(0));
        }
    }

    /** Whether the last forward pass handed its output over in oneDNN's own layout (see the class comment). */
    boolean handedOver() {
        return outputLayout != null;
    }

    /** The array the last forward pass returned if it computed the folded BatchNorm's output, else null. */
    INDArray foldedOutput() {
        return foldedOutput;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        inputLayout = handedOverLayout();
        outputLayout = null;
        foldedOutput = null;
        if (foldedBatchNorm != null && (!training || foldedBatchNorm.frozen()) && ownPath()) {
            boolean handOver = training && (reader != null && reader.takesHandoffs()
                    || residualReader != null && residualReader.takesHandoffs());
            foldedHelper.layouts(inputLayout, handOver);
            foldedOutput = foldedForward(workspaceMgr);
            if (foldedOutput != null) {
                outputLayout = handOver ? foldedHelper.outputLayout() : null;
                if (reader == null && residualReader == null && (foldedBatchNorm.readByOneConvolution()
                        || foldedBatchNorm.readByOneResidualSum())) {
                    BatchNormFolding.offerHandoff(foldedOutput, this);
                }
                return foldedOutput;
            }
        }
        if (helper instanceof OneDnnConvHelper oneDnn) {
            oneDnn.layouts(inputLayout, false);
        }
        INDArray out = super.activate(training, workspaceMgr);
        if (foldedBatchNorm == null && ownPath() && out.dataType() == DataType.FLOAT && layerConf().getIDropout() == null
                && layerConf().getWeightNoise() == null) {
            BatchNormFolding.offer(out, this);
        }
        return out;
    }

    /**
     * The layout this pass's input arrives in: the writer's, when it handed the map over (then the input must be the
     * very array it returned), else null for plain NCHW. Links this layer to its writer on first sight.
     */
    private ActivationLayout handedOverLayout() {
        if (writer == null && takesHandoffs()) {
            writer = BatchNormFolding.handoffWriterOf(input);
            if (writer != null) {
                writer.linkReader(this);
            }
        }
        if (writer == null || writer.handedOverOutputLayout() == null) {
            return null;
        }
        if (writer.handedOverOutput() != input) {
            throw new IllegalStateException("layer " + layerId() + ": its input is not the map its writer handed "
                    + "over in oneDNN's layout; run with -D" + OneDnn.HANDOFF_PROPERTY + "=false");
        }
        return writer.handedOverOutputLayout();
    }

    /** Whether this layer reads a map in oneDNN's layout when its writer hands it over. */
    boolean takesHandoffs() {
        return HANDOFF && ownPath();
    }

    /**
     * Whether this layer can write its output in its forward primitive's own layout for a residual sum: folded with a
     * BatchNorm on frozen statistics, and that layout holding exactly the NCHW floats (known once the folded
     * primitives exist, from the second pass).
     */
    boolean canHandOverToSum() {
        return takesHandoffs() && foldedBatchNorm != null && foldedBatchNorm.frozen() && foldedHelper.ownLayoutFits();
    }

    @Override
    public ActivationLayout handedOverOutputLayout() {
        return outputLayout;
    }

    @Override
    public INDArray handedOverOutput() {
        return foldedOutput;
    }

    @Override
    public void linkReader(OneDnnConvolutionImpl conv) {
        reader = conv;
    }

    @Override
    public void linkReader(ResidualReluImpl sum) {
        residualReader = sum;
    }

    /** Whether oneDNN runs this layer with the identity activation on NCHW data (BatchNorm follows). */
    private boolean ownPath() {
        return helper instanceof OneDnnConvHelper && layerConf().getActivationFn() instanceof ActivationIdentity
                && layerConf().getCnn2dDataFormat() == CNN2DFormat.NCHW;
    }

    /** The folded BatchNorm's output (ReLU applied if it has one), or null when oneDNN cannot run it. */
    private INDArray foldedForward(LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        if (input.dataType() != DataType.FLOAT || input.rank() != 4) {
            return null;
        }
        INDArray weights = getParam(ConvolutionParamInitializer.WEIGHT_KEY);
        BatchNormFold.fold(weights, hasBias() ? getParam(ConvolutionParamInitializer.BIAS_KEY) : null,
                foldedBatchNorm.foldStatistics(), foldedWeights, foldedBias);
        return foldedHelper.preOutput(input, foldedWeights, foldedBias, layerConf().getKernelSize(),
                layerConf().getStride(), layerConf().getPadding(), layerConf().getCudnnAlgoMode(),
                layerConf().getCudnnFwdAlgo(), convolutionMode, layerConf().getDilation(), CNN2DFormat.NCHW,
                workspaceMgr);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        if (!ownPath()) {
            return dl4jBackprop(epsilon, workspaceMgr);
        }
        assertInputSet(true);
        if (foldedOutput != null) {
            return foldedBackward(epsilon, workspaceMgr);
        }
        INDArray weights = getParamWithNoise(ConvolutionParamInitializer.WEIGHT_KEY, true, workspaceMgr);
        INDArray bias = getParamWithNoise(ConvolutionParamInitializer.BIAS_KEY, true, workspaceMgr);
        INDArray biasGradView = hasBias() ? gradientViews.get(ConvolutionParamInitializer.BIAS_KEY) : null;
        Pair<Gradient, INDArray> result = oneDnnBackward((OneDnnConvHelper) helper, weights, hasBias() ? bias : null, epsilon,
                biasGradView, workspaceMgr);
        if (result == null) {
            return dl4jBackprop(epsilon, workspaceMgr);
        }
        weightNoiseParams.clear();
        if (result.getSecond() != null) {
            result.setSecond(backpropDropOutIfPresent(result.getSecond()));
        }
        return result;
    }

    /**
     * Backward through the folded forward pass: {@code epsilon} is the gradient at the folded convolution's output
     * (the BatchNorm applied the ReLU's mask). The folded convolution's weight gradient and output-gradient sums
     * become this layer's and the BatchNorm's gradients.
     */
    private Pair<Gradient, INDArray> foldedBackward(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        Pair<Gradient, INDArray> result = oneDnnBackward(foldedHelper, foldedWeights, foldedBias, epsilon,
                outputGradientSums, workspaceMgr);
        if (result == null) {
            throw new IllegalStateException("layer " + layerId() + ": oneDNN ran the folded forward pass but not its "
                    + "backward pass");
        }
        INDArray weightGradView = gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY);
        INDArray biasGradView = hasBias() ? gradientViews.get(ConvolutionParamInitializer.BIAS_KEY) : null;
        int channels = (int) weightGradView.size(0);
        double[] dGamma = new double[channels];
        double[] dBeta = new double[channels];
        BatchNormFold.unfold(getParam(ConvolutionParamInitializer.WEIGHT_KEY),
                hasBias() ? getParam(ConvolutionParamInitializer.BIAS_KEY) : null, foldedBatchNorm.foldStatistics(),
                weightGradView, outputGradientSums, biasGradView, dGamma, dBeta);
        foldedBatchNorm.setFoldedGradients(dGamma, dBeta);
        Gradient gradient = new DefaultGradient();
        if (hasBias()) {
            gradient.setGradientFor(ConvolutionParamInitializer.BIAS_KEY, biasGradView);
        }
        gradient.setGradientFor(ConvolutionParamInitializer.WEIGHT_KEY, weightGradView, 'c');
        return new Pair<>(gradient, result.getSecond());
    }

    /** oneDNN's backward pass into this layer's weight gradient view; null when oneDNN cannot run the shape. */
    private Pair<Gradient, INDArray> oneDnnBackward(OneDnnConvHelper oneDnn, INDArray weights, INDArray bias,
            INDArray epsilon, INDArray biasGradient, LayerWorkspaceMgr workspaceMgr) {
        oneDnn.layouts(inputLayout, outputLayout != null);
        INDArray in = input.castTo(dataType);
        INDArray delta = epsilon.castTo(dataType);
        int[] kernel = layerConf().getKernelSize();
        int[] strides = layerConf().getStride();
        int[] dilation = layerConf().getDilation();
        int[] pad = convolutionMode == ConvolutionMode.Same
                ? ConvolutionUtils.getSameModeTopLeftPadding(new int[] {(int) delta.size(2), (int) delta.size(3)},
                        new int[] {(int) in.size(2), (int) in.size(3)}, kernel, strides, dilation)
                : layerConf().getPadding();
        INDArray weightGradView = gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY);
        return oneDnn.backpropGradient(in, weights, bias, delta, kernel, strides, pad, biasGradient, weightGradView,
                layerConf().getActivationFn(), layerConf().getCudnnAlgoMode(), layerConf().getCudnnBwdFilterAlgo(),
                layerConf().getCudnnBwdDataAlgo(), convolutionMode, dilation, CNN2DFormat.NCHW, workspaceMgr);
    }

    private Pair<Gradient, INDArray> dl4jBackprop(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        Pair<Gradient, INDArray> result = super.backpropGradient(epsilon, workspaceMgr);
        if (!inputGradient()) {
            result.setSecond(null);
        }
        return result;
    }

    private boolean inputGradient() {
        return !(layerConf() instanceof OneDnnConvolution c) || c.isInputGradient();
    }
}
