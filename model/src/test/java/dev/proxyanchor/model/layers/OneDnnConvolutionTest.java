package dev.proxyanchor.model.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxyanchor.model.layers.onednn.OneDnnConvHelper;
import java.util.stream.Stream;
import org.deeplearning4j.config.DL4JSystemProperties;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link OneDnnConvolution} in float32 (oneDNN primitives, no forward recompute in backprop) against DL4J's built-in
 * convolution in float64: output, input gradient, weight and bias gradients, over the shapes the backbones use
 * (same-padded 5x5, ResNet's 7x7/2 stem and 1x1/2 shortcut without bias, a truncating stride, dilation,
 * asymmetric same padding), for two batch sizes in a row (the primitives are rebuilt), and with the input and the
 * incoming gradient given as strided channel slices of larger arrays (as a concatenation's backprop hands them).
 */
class OneDnnConvolutionTest {

    record Case(String name, int channels, int size, int out, int kernel, int stride, int pad, int dilation,
                ConvolutionMode mode, boolean bias) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("5x5 same, bias", 4, 9, 6, 5, 1, 0, 1, ConvolutionMode.Same, true),
                new Case("7x7/2 pad 3, no bias", 3, 15, 5, 7, 2, 3, 1, ConvolutionMode.Truncate, false),
                new Case("1x1/2, no bias", 6, 8, 4, 1, 2, 0, 1, ConvolutionMode.Truncate, false),
                new Case("3x3/2 truncating", 2, 10, 3, 3, 2, 0, 1, ConvolutionMode.Truncate, true),
                new Case("3x3 dilation 2", 3, 11, 4, 3, 1, 2, 2, ConvolutionMode.Truncate, true),
                new Case("3x3/2 same, asymmetric", 3, 9, 4, 3, 2, 0, 1, ConvolutionMode.Same, true));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void matchesDl4jsBuiltInConvolution(Case c) {
        Nd4j.getRandom().setSeed(5);
        Layer ours = layer(OneDnnConvolution.of(builder(c)), DataType.FLOAT, false);
        Layer reference = layer(builder(c).build(), DataType.DOUBLE, true);
        assertInstanceOf(OneDnnConvHelper.class, ((OneDnnConvolutionImpl) ours).getHelper(), "oneDNN engaged");
        INDArray params = Nd4j.randn(DataType.DOUBLE, 1, ours.numParams()).muli(0.3);
        ours.setParams(params.castTo(DataType.FLOAT));
        reference.setParams(params.dup());

        for (int batch : new int[] {5, 3}) {
            INDArray x = Nd4j.randn(DataType.DOUBLE, batch, c.channels(), c.size(), c.size());
            INDArray expectedOut = activate(reference, x);
            INDArray out = activate(ours, StridedViews.channelSlice(x.castTo(DataType.FLOAT)));
            assertClose(expectedOut, out, "output, batch " + batch);

            INDArray dy = Nd4j.randn(DataType.DOUBLE, expectedOut.shape());
            Pair<Gradient, INDArray> expected = reference.backpropGradient(dy.dup(), LayerWorkspaceMgr.noWorkspaces());
            Pair<Gradient, INDArray> actual = ours.backpropGradient(
                    StridedViews.channelSlice(dy.castTo(DataType.FLOAT)), LayerWorkspaceMgr.noWorkspaces());
            assertClose(expected.getSecond(), actual.getSecond(), "input gradient, batch " + batch);
            assertClose(expected.getFirst().getGradientFor(ConvolutionParamInitializer.WEIGHT_KEY),
                    actual.getFirst().getGradientFor(ConvolutionParamInitializer.WEIGHT_KEY), "weight gradient");
            if (c.bias()) {
                assertClose(expected.getFirst().getGradientFor(ConvolutionParamInitializer.BIAS_KEY),
                        actual.getFirst().getGradientFor(ConvolutionParamInitializer.BIAS_KEY), "bias gradient");
            }
        }
    }

    @ParameterizedTest(name = "DL4J helpers off: {0}")
    @ValueSource(booleans = {false, true})
    void withoutInputGradientGivesNullForItAndTheSameParameterGradients(boolean builtIn) {
        Case c = new Case("1-channel stem", 1, 12, 8, 5, 1, 0, 1, ConvolutionMode.Same, true);
        Nd4j.getRandom().setSeed(9);
        Layer full = layer(OneDnnConvolution.of(builder(c)), DataType.FLOAT, builtIn);
        Layer stem = layer(OneDnnConvolution.of(builder(c)).withoutInputGradient(), DataType.FLOAT, builtIn);
        if (!builtIn) {
            assertInstanceOf(OneDnnConvHelper.class, ((OneDnnConvolutionImpl) stem).getHelper(), "oneDNN engaged");
        }
        INDArray params = Nd4j.randn(DataType.FLOAT, 1, full.numParams()).muli(0.3);
        full.setParams(params);
        stem.setParams(params.dup());
        INDArray x = Nd4j.randn(DataType.FLOAT, 4, c.channels(), c.size(), c.size());
        INDArray dy = Nd4j.randn(DataType.FLOAT, activate(full, x).shape());
        activate(stem, x);

        Pair<Gradient, INDArray> expected = full.backpropGradient(dy.dup(), LayerWorkspaceMgr.noWorkspaces());
        Pair<Gradient, INDArray> actual = stem.backpropGradient(dy.dup(), LayerWorkspaceMgr.noWorkspaces());

        assertNull(actual.getSecond(), "no input gradient");
        for (String key : new String[] {ConvolutionParamInitializer.WEIGHT_KEY, ConvolutionParamInitializer.BIAS_KEY}) {
            assertEquals(expected.getFirst().getGradientFor(key), actual.getFirst().getGradientFor(key), key);
        }
    }

    private static ConvolutionLayer.Builder builder(Case c) {
        ConvolutionLayer.Builder b = new ConvolutionLayer.Builder(c.kernel(), c.kernel())
                .nIn(c.channels()).nOut(c.out())
                .stride(c.stride(), c.stride())
                .dilation(c.dilation(), c.dilation())
                .convolutionMode(c.mode())
                .activation(Activation.IDENTITY)
                .hasBias(c.bias());
        if (c.mode() == ConvolutionMode.Truncate) {
            b.padding(c.pad(), c.pad());
        }
        return b;
    }

    private static INDArray activate(Layer layer, INDArray x) {
        layer.setInput(x, LayerWorkspaceMgr.noWorkspaces());
        return layer.activate(true, LayerWorkspaceMgr.noWorkspaces()).dup();
    }

    private static Layer layer(org.deeplearning4j.nn.conf.layers.Layer conf, DataType type, boolean builtIn) {
        String key = DL4JSystemProperties.DISABLE_HELPER_PROPERTY;
        String previous = System.getProperty(key);
        System.setProperty(key, builtIn ? "true" : "false");
        try {
            NeuralNetConfiguration c = new NeuralNetConfiguration.Builder().dataType(type).layer(conf).build();
            long n = c.getLayer().initializer().numParams(c);
            Layer layer = c.getLayer().instantiate(c, null, 0, Nd4j.create(type, 1, n), true, type);
            layer.setBackpropGradientsViewArray(Nd4j.create(type, 1, n));
            return layer;
        } finally {
            if (previous == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, previous);
            }
        }
    }

    /** float32 against float64: max |difference| within 1e-4 of the reference's largest magnitude. */
    private static void assertClose(INDArray expected, INDArray actual, String what) {
        assertEquals(expected.length(), actual.length(), what);
        double scale = Math.max(1e-6, expected.amaxNumber().doubleValue());
        double diff = expected.reshape(-1).sub(actual.dup().reshape(-1).castTo(DataType.DOUBLE)).amaxNumber()
                .doubleValue();
        assertTrue(diff <= 1e-4 * scale, what + ": max |diff| " + diff + " vs max |value| " + scale);
    }
}
