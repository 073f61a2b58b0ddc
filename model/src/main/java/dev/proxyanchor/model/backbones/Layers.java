package dev.proxyanchor.model.backbones;

import dev.proxyanchor.model.layers.BoxAvgPooling;
import dev.proxyanchor.model.layers.IndexedMaxPooling;
import dev.proxyanchor.model.layers.OneDnnConvolution;
import dev.proxyanchor.model.layers.TorchBatchNorm;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.weights.IWeightInit;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;

/**
 * PyTorch's conv, BatchNorm and pooling layers expressed with DL4J layers so that the outputs agree to rounding:
 * convolutions ({@link OneDnnConvolution}) and pools ({@link IndexedMaxPooling} for max, {@link BoxAvgPooling} for
 * BN-Inception's average) in {@link ConvolutionMode#Truncate} with explicit padding (PyTorch's output-size rule),
 * every BatchNorm a {@link TorchBatchNorm}. Max pooling with {@code ceil_mode=True}, which DL4J does not express, is
 * rewritten as explicit zero padding plus an unpadded pool.
 */
final class Layers {

    private Layers() {
    }

    /** {@code nn.Conv2d(in, out, kernel, stride, padding, bias)}; the layer is named {@code name}. */
    static String conv(GraphBuilder graph, String name, String input, long in, long out, int kernel, int stride,
            int padding, boolean bias) {
        return conv(graph, name, input, in, out, kernel, stride, padding, bias,
                WeightInit.RELU.getWeightInitFunction());
    }

    /** {@link #conv} with the weights initialised by {@code weightInit} instead of He's normal. */
    static String conv(GraphBuilder graph, String name, String input, long in, long out, int kernel, int stride,
            int padding, boolean bias, IWeightInit weightInit) {
        ConvolutionLayer.Builder conv = new ConvolutionLayer.Builder(kernel, kernel)
                .nIn(in).nOut(out)
                .stride(stride, stride)
                .padding(padding, padding)
                .convolutionMode(ConvolutionMode.Truncate)
                .weightInit(weightInit)
                .activation(Activation.IDENTITY)
                .hasBias(bias);
        if (bias) {
            conv.biasInit(0.0);
        }
        return addConv(graph, name, OneDnnConvolution.of(conv), input);
    }

    /**
     * Adds {@code conv} fed by {@code input}. Fed by the network input (the images), it computes no gradient for
     * them: nothing reads it, as in PyTorch where the input does not require grad.
     */
    static String addConv(GraphBuilder graph, String name, OneDnnConvolution conv, String input) {
        graph.addLayer(name, graph.getNetworkInputs().contains(input) ? conv.withoutInputGradient() : conv, input);
        return name;
    }

    static String batchNorm(GraphBuilder graph, String name, String input, long channels, boolean bnFreeze) {
        graph.addLayer(name, TorchBatchNorm.of(channels, bnFreeze), input);
        return name;
    }

    /** BatchNorm with the ReLU after it fused in ({@link TorchBatchNorm#followedByRelu()}); returns the BN's name. */
    static String batchNormRelu(GraphBuilder graph, String name, String input, long channels, boolean bnFreeze) {
        graph.addLayer(name, TorchBatchNorm.of(channels, bnFreeze).followedByRelu(), input);
        return name;
    }

    /** {@link #batchNormRelu} with {@code nn.BatchNorm2d}'s {@code eps} other than its default 1e-5. */
    static String batchNormRelu(GraphBuilder graph, String name, String input, long channels, double eps,
            boolean bnFreeze) {
        TorchBatchNorm bn = TorchBatchNorm.of(channels, bnFreeze).followedByRelu();
        bn.setEps(eps);
        graph.addLayer(name, bn, input);
        return name;
    }

    /**
     * {@code nn.MaxPool2d(kernel, stride, padding, ceil_mode)} on a {@code size x size} input that is >= 0 everywhere
     * (it follows a ReLU, or concatenates ReLU outputs). PyTorch's max pool never picks a padded position; on
     * non-negative inputs a zero in the padding cannot win either, so zero margins (symmetric, plus the extra
     * bottom/right rows {@code ceil_mode} adds) around an unpadded pool give exactly PyTorch's output. The pool adds
     * them itself ({@link IndexedMaxPooling#withZeroMargins}), without a padded copy of the map.
     *
     * @return the pool's output size
     */
    static int maxPoolOfNonNegative(GraphBuilder graph, String name, String input, int size, int kernel, int stride,
            int padding, boolean ceilMode) {
        int out = pooledSize(size, kernel, stride, padding, ceilMode);
        int extra = Math.max(0, (out - 1) * stride + kernel - (size + 2 * padding));
        graph.addLayer(name, maxPool(kernel, stride).withZeroMargins(padding, padding + extra, padding,
                padding + extra), input);
        return out;
    }

    /**
     * {@code nn.AvgPool2d(kernel, 1, (kernel - 1) / 2, ceil_mode, count_include_pad=True)}, BN-Inception's pool
     * branch: a same-size box average ({@link BoxAvgPooling}); {@code ceil_mode} cannot change a stride-1 pool's size.
     *
     * @return the pool's output size (the input's)
     */
    static int boxAvgPool(GraphBuilder graph, String name, String input, int size, int kernel, int stride, int padding) {
        if (stride != 1 || padding != kernel / 2 || kernel % 2 == 0) {
            throw new IllegalArgumentException("average pool " + name + ": only same-size pools (odd kernel, stride 1, "
                    + "padding (kernel - 1) / 2) are supported, not kernel " + kernel + " stride " + stride
                    + " padding " + padding);
        }
        graph.addLayer(name, BoxAvgPooling.of(kernel), input);
        return size;
    }

    /** PyTorch's pooled size, {@code ceil_mode} included (the last window must start inside the input or left padding). */
    static int pooledSize(int size, int kernel, int stride, int padding, boolean ceilMode) {
        int span = size + 2 * padding - kernel;
        int out = (ceilMode ? Math.floorDiv(span + stride - 1, stride) : Math.floorDiv(span, stride)) + 1;
        if (ceilMode && (out - 1) * stride >= size + padding) {
            out--;
        }
        return out;
    }

    /** PyTorch's convolution output size. */
    static int convolvedSize(int size, int kernel, int stride, int padding) {
        return (size + 2 * padding - kernel) / stride + 1;
    }

    /** An unpadded max pool. */
    private static IndexedMaxPooling maxPool(int kernel, int stride) {
        SubsamplingLayer.Builder pool = new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX)
                .kernelSize(kernel, kernel)
                .stride(stride, stride)
                .padding(0, 0)
                .convolutionMode(ConvolutionMode.Truncate);
        return IndexedMaxPooling.of(pool);
    }
}
