package dev.proxyanchor.model.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The own batch-statistics pass of {@link TorchBatchNormImpl} against DL4J's BatchNormalization (its oneDNN helper
 * in float32, its built-in code in float64): same output, input gradient, gamma/beta gradients and running-mean
 * step; the running-variance step uses PyTorch's unbiased batch variance where DL4J uses the biased one. With the
 * ReLU fused in, the same against DL4J's layer followed by a ReLU.
 */
class TorchBatchNormTest {

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void batchStatisticsPassMatchesDl4jsBatchNormalization(DataType type) {
        compareWithDl4j(type, false);
    }

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void fusedReluMatchesDl4jsBatchNormalizationFollowedByReLU(DataType type) {
        compareWithDl4j(type, true);
    }

    /**
     * The float32 kernels against the same layer in float64 (ND4J ops) on an odd-sized map (the unrolled loops'
     * tails) whose mean is 10^4 times its spread (the one-pass variance must not cancel).
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void float32KernelsMatchFloat64OnOddMapsWithLargeMeans(boolean relu) {
        Nd4j.getRandom().setSeed(12);
        long[] shape = {4, 3, 5, 3};
        TorchBatchNorm conf = TorchBatchNorm.of(3, false);
        Layer single = layer(relu ? conf.clone().followedByRelu() : conf.clone(), DataType.FLOAT);
        Layer dbl = layer(relu ? conf.clone().followedByRelu() : conf.clone(), DataType.DOUBLE);
        INDArray params = Nd4j.rand(DataType.DOUBLE, 1, dbl.numParams()).addi(0.5);
        dbl.setParams(params);
        single.setParams(params.castTo(DataType.FLOAT));
        INDArray x = Nd4j.randn(DataType.DOUBLE, shape).muli(0.1).addi(1000);
        INDArray dy = Nd4j.randn(DataType.DOUBLE, shape);
        x = x.castTo(DataType.FLOAT).castTo(DataType.DOUBLE);

        assertClose(activate(dbl, x), activate(single, x.castTo(DataType.FLOAT)), 1e-3, "output");
        Pair<Gradient, INDArray> expected = dbl.backpropGradient(dy.dup(), LayerWorkspaceMgr.noWorkspaces());
        Pair<Gradient, INDArray> actual = single.backpropGradient(dy.castTo(DataType.FLOAT),
                LayerWorkspaceMgr.noWorkspaces());
        assertClose(expected.getSecond(), actual.getSecond(), 1e-3, "input gradient");
        for (String p : new String[] {BatchNormalizationParamInitializer.GAMMA, BatchNormalizationParamInitializer.BETA,
                BatchNormalizationParamInitializer.GLOBAL_MEAN, BatchNormalizationParamInitializer.GLOBAL_VAR}) {
            assertClose(expected.getFirst().getGradientFor(p), actual.getFirst().getGradientFor(p), 1e-3, p);
        }
    }

    private static void compareWithDl4j(DataType type, boolean relu) {
        Nd4j.getRandom().setSeed(11);
        long[] shape = {6, 3, 5, 4};
        double tolerance = type == DataType.FLOAT ? 2e-5 : 1e-12;
        TorchBatchNorm conf = TorchBatchNorm.of(3, false);
        Layer ours = layer(relu ? conf.followedByRelu() : conf, type);
        BatchNormalization reference = new BatchNormalization.Builder().nIn(3).nOut(3).eps(1e-5).decay(0.9)
                .useLogStd(false).build();
        Layer theirs = layer(reference, type);
        INDArray params = Nd4j.rand(type, 1, ours.numParams()).addi(0.5);
        ours.setParams(params.dup());
        theirs.setParams(params.dup());
        INDArray x = Nd4j.randn(type, shape).muli(3).addi(1.5);
        INDArray dy = Nd4j.randn(type, shape);

        INDArray ourOut = activate(ours, x);
        INDArray theirOut = activate(theirs, x);
        INDArray theirDy = dy.dup();
        if (relu) {
            theirDy.muli(theirOut.gt(0).castTo(type));
            theirOut = Transforms.relu(theirOut, true);
        }
        assertClose(theirOut, ourOut, tolerance, "output");

        Pair<Gradient, INDArray> ourBack = ours.backpropGradient(dy.dup(), LayerWorkspaceMgr.noWorkspaces());
        Pair<Gradient, INDArray> theirBack = theirs.backpropGradient(theirDy, LayerWorkspaceMgr.noWorkspaces());
        assertClose(theirBack.getSecond(), ourBack.getSecond(), tolerance, "input gradient");
        for (String p : new String[] {BatchNormalizationParamInitializer.GAMMA, BatchNormalizationParamInitializer.BETA,
                BatchNormalizationParamInitializer.GLOBAL_MEAN}) {
            assertClose(theirBack.getFirst().getGradientFor(p), ourBack.getFirst().getGradientFor(p), tolerance, p);
        }

        long perChannel = shape[0] * shape[2] * shape[3];
        INDArray biasedVar = x.var(false, 0, 2, 3);
        INDArray runningVar = ours.getParam(BatchNormalizationParamInitializer.GLOBAL_VAR).reshape(-1);
        INDArray expectedStep = runningVar.sub(biasedVar.mul(perChannel / (perChannel - 1.0))).muli(0.1);
        assertClose(expectedStep, ourBack.getFirst().getGradientFor(BatchNormalizationParamInitializer.GLOBAL_VAR)
                .reshape(-1), tolerance, "running variance step (unbiased batch variance)");
    }

    private static INDArray activate(Layer layer, INDArray x) {
        layer.setInput(x.dup(), LayerWorkspaceMgr.noWorkspaces());
        return layer.activate(true, LayerWorkspaceMgr.noWorkspaces()).dup();
    }

    private static Layer layer(org.deeplearning4j.nn.conf.layers.Layer conf, DataType type) {
        NeuralNetConfiguration c = new NeuralNetConfiguration.Builder().dataType(type).layer(conf).build();
        long n = c.getLayer().initializer().numParams(c);
        Layer layer = c.getLayer().instantiate(c, null, 0, Nd4j.create(type, 1, n), true, type);
        layer.setBackpropGradientsViewArray(Nd4j.create(type, 1, n));
        return layer;
    }

    private static void assertClose(INDArray expected, INDArray actual, double tolerance, String what) {
        assertEquals(expected.length(), actual.length(), what);
        double scale = Math.max(1, expected.amaxNumber().doubleValue());
        double diff = expected.reshape(-1).sub(actual.reshape(-1).castTo(expected.dataType())).amaxNumber()
                .doubleValue();
        assertTrue(diff <= tolerance * scale, what + ": max |diff| " + diff);
    }
}
