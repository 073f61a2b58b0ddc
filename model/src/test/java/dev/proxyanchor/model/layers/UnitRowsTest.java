package dev.proxyanchor.model.layers;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The proxy layer's float32 heap path ({@link dev.proxyanchor.model.kernels.UnitRows} around ND4J's products)
 * against its float64 ND4J path, for each output (cosines, squared distances): outputs and both gradients, with more
 * proxies than embedding dimensions and the reverse.
 */
class UnitRowsTest {

    @ParameterizedTest
    @EnumSource(ProxyLayer.Output.class)
    void float32HeapPathMatchesFloat64Path(ProxyLayer.Output output) {
        for (int[] shape : new int[][] {{7, 33, 50}, {16, 64, 5}, {3, 8, 1}}) {
            int batch = shape[0];
            int dim = shape[1];
            int classes = shape[2];
            Nd4j.getRandom().setSeed(batch);
            INDArray x = Nd4j.randn(DataType.DOUBLE, batch, dim).muli(3);
            INDArray proxies = Nd4j.randn(DataType.DOUBLE, classes, dim);
            INDArray g = Nd4j.randn(DataType.DOUBLE, batch, classes);

            ProxyLayerImpl reference = layer(dim, classes, output, DataType.DOUBLE, proxies);
            ProxyLayerImpl heap = layer(dim, classes, output, DataType.FLOAT, proxies.castTo(DataType.FLOAT));
            INDArray expectedCos = activate(reference, x);
            INDArray cos = activate(heap, x.castTo(DataType.FLOAT));
            assertClose(expectedCos, cos, "cosines " + java.util.Arrays.toString(shape));

            Pair<Gradient, INDArray> expected = reference.backpropGradient(g.dup(), LayerWorkspaceMgr.noWorkspaces());
            Pair<Gradient, INDArray> actual = heap.backpropGradient(g.castTo(DataType.FLOAT),
                    LayerWorkspaceMgr.noWorkspaces());
            assertClose(expected.getSecond(), actual.getSecond(), "dL/dX " + java.util.Arrays.toString(shape));
            assertClose(expected.getFirst().getGradientFor(ProxyLayer.PROXIES),
                    actual.getFirst().getGradientFor(ProxyLayer.PROXIES), "dL/dP " + java.util.Arrays.toString(shape));
        }
    }

    private static ProxyLayerImpl layer(int dim, int classes, ProxyLayer.Output output, DataType type,
                                        INDArray proxies) {
        NeuralNetConfiguration conf = new NeuralNetConfiguration.Builder().dataType(type)
                .layer(new ProxyLayer.Builder().nIn(dim).nOut(classes).output(output).build()).build();
        long n = conf.getLayer().initializer().numParams(conf);
        ProxyLayerImpl layer = (ProxyLayerImpl) conf.getLayer().instantiate(conf, null, 0, Nd4j.create(type, 1, n),
                true, type);
        layer.setBackpropGradientsViewArray(Nd4j.create(type, 1, n));
        layer.setParam(ProxyLayer.PROXIES, proxies);
        return layer;
    }

    private static INDArray activate(ProxyLayerImpl layer, INDArray x) {
        layer.setInput(x, LayerWorkspaceMgr.noWorkspaces());
        return layer.activate(true, LayerWorkspaceMgr.noWorkspaces()).dup();
    }

    private static void assertClose(INDArray expected, INDArray actual, String what) {
        double scale = Math.max(1e-3, expected.amaxNumber().doubleValue());
        double diff = expected.sub(actual.castTo(DataType.DOUBLE).reshape(expected.shape())).amaxNumber()
                .doubleValue();
        assertTrue(diff <= 1e-5 * scale, what + ": max |diff| " + diff + " vs max |value| " + scale);
    }
}
