package dev.proxyanchor.model.layers;

import dev.proxyanchor.model.layers.onednn.OneDnn;
import dev.proxyanchor.model.layers.onednn.OneDnnConvHelper;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.util.ConvolutionUtils;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

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
 */
public class OneDnnConvolutionImpl extends ConvolutionLayer {

    public OneDnnConvolutionImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
        if (OneDnn.forNewLayer()) {
            helper = new OneDnnConvHelper(hasBias(), inputGradient());
        }
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        if (!(helper instanceof OneDnnConvHelper) || !(layerConf().getActivationFn() instanceof ActivationIdentity)
                || layerConf().getCnn2dDataFormat() != CNN2DFormat.NCHW) {
            return dl4jBackprop(epsilon, workspaceMgr);
        }
        assertInputSet(true);
        INDArray weights = getParamWithNoise(ConvolutionParamInitializer.WEIGHT_KEY, true, workspaceMgr);
        INDArray bias = getParamWithNoise(ConvolutionParamInitializer.BIAS_KEY, true, workspaceMgr);
        INDArray in = input.castTo(dataType);
        INDArray delta = epsilon.castTo(dataType);
        int[] kernel = layerConf().getKernelSize();
        int[] strides = layerConf().getStride();
        int[] dilation = layerConf().getDilation();
        int[] pad = convolutionMode == ConvolutionMode.Same
                ? ConvolutionUtils.getSameModeTopLeftPadding(new int[] {(int) delta.size(2), (int) delta.size(3)},
                        new int[] {(int) in.size(2), (int) in.size(3)}, kernel, strides, dilation)
                : layerConf().getPadding();
        INDArray biasGradView = hasBias() ? gradientViews.get(ConvolutionParamInitializer.BIAS_KEY) : null;
        INDArray weightGradView = gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY);
        Pair<Gradient, INDArray> result = helper.backpropGradient(in, weights, hasBias() ? bias : null, delta,
                kernel, strides, pad, biasGradView, weightGradView, layerConf().getActivationFn(),
                layerConf().getCudnnAlgoMode(), layerConf().getCudnnBwdFilterAlgo(),
                layerConf().getCudnnBwdDataAlgo(), convolutionMode, dilation, CNN2DFormat.NCHW, workspaceMgr);
        if (result == null) {
            return dl4jBackprop(epsilon, workspaceMgr);
        }
        weightNoiseParams.clear();
        if (result.getSecond() != null) {
            result.setSecond(backpropDropOutIfPresent(result.getSecond()));
        }
        return result;
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
