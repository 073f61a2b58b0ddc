package dev.proxyanchor.model.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxyanchor.model.layers.ProxyLayer;
import dev.proxyanchor.model.layers.ProxyLayerImpl;
import java.util.List;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loss, dL/dcos, dL/dX and dL/dP of the loss and the proxy layer against the independent float64 reference cases,
 * once in float64 (tight) and once in float32, the training precision (the case's suggested tolerance). Run another
 * folder of cases in the same format with {@code -Dproxyanchor.cases=DIR}.
 */
class ProxyAnchorReferenceCasesTest {

    private static final Logger log = LoggerFactory.getLogger(ProxyAnchorReferenceCasesTest.class);

    static List<ReferenceCase> cases() {
        return ReferenceCase.all();
    }

    @ParameterizedTest(name = "{0} float64")
    @MethodSource("cases")
    void matchesReferenceInFloat64(ReferenceCase c) {
        Differences d = run(c, DataType.DOUBLE);
        log.info("{} float64 max abs diff: loss {} cos {} dL/dcos {} dX {} dP {}", c.name(), d.loss, d.cos, d.dCos, d.dX, d.dP);
        assertWithin(c, d, 1e-9, 1e-10);
    }

    @ParameterizedTest(name = "{0} float32")
    @MethodSource("cases")
    void matchesReferenceInFloat32(ReferenceCase c) {
        Differences d = run(c, DataType.FLOAT);
        log.info("{} float32 max abs diff: loss {} cos {} dL/dcos {} dX {} dP {}", c.name(), d.loss, d.cos, d.dCos, d.dX, d.dP);
        assertWithin(c, d, c.tolerance("loss_abs"), c.tolerance("grad_abs"));
    }

    private static void assertWithin(ReferenceCase c, Differences d, double lossTol, double gradTol) {
        assertTrue(d.loss <= lossTol, c.name() + ": loss differs by " + d.loss);
        assertTrue(d.cos <= gradTol, c.name() + ": cos differs by " + d.cos);
        assertTrue(d.dCos <= gradTol, c.name() + ": dL/dcos differs by " + d.dCos);
        assertTrue(d.dX <= gradTol, c.name() + ": dL/dX differs by " + d.dX);
        assertTrue(d.dP <= gradTol, c.name() + ": dL/dP differs by " + d.dP);
        assertEquals(c.expectedScalar("num_valid_proxies"), d.validProxies, c.name() + ": proxies with positives");
    }

    record Differences(double loss, double cos, double dCos, double dX, double dP, int validProxies) {
    }

    /**
     * Runs the proxy layer and the loss as DL4J runs them in training: layer forward, loss gradient (scaled by B, see
     * {@link ProxyAnchorLoss}), layer backward; then undoes DL4J's minibatch division to compare with dL/d*.
     */
    static Differences run(ReferenceCase c, DataType type) {
        INDArray x = c.input("X", type);
        INDArray proxies = c.input("P", type);
        INDArray labels = c.oneHotLabels(type);
        int batch = c.b();

        NeuralNetConfiguration conf = new NeuralNetConfiguration.Builder()
                .dataType(type)
                .layer(ProxyLayer.of((int) x.size(1), c.c()))
                .build();
        long numParams = conf.getLayer().initializer().numParams(conf);
        INDArray params = Nd4j.create(type, 1, numParams);
        ProxyLayerImpl layer = (ProxyLayerImpl) conf.getLayer().instantiate(conf, null, 0, params, true, type);
        layer.setBackpropGradientsViewArray(Nd4j.create(type, 1, numParams));
        layer.setParam(ProxyLayer.PROXIES, proxies);

        LayerWorkspaceMgr noWorkspaces = LayerWorkspaceMgr.noWorkspaces();
        layer.setInput(x, noWorkspaces);
        INDArray cos = layer.activate(true, noWorkspaces);

        ProxyAnchorLoss loss = new ProxyAnchorLoss(c.alpha(), c.margin());
        Pair<Double, INDArray> scoreAndGrad =
                loss.computeGradientAndScore(labels, cos, new ActivationIdentity(), null, true);
        INDArray dCos = scoreAndGrad.getSecond();
        Pair<Gradient, INDArray> back = layer.backpropGradient(dCos, noWorkspaces);
        INDArray dX = back.getSecond().div(batch);
        INDArray dP = back.getFirst().getGradientFor(ProxyLayer.PROXIES).div(batch);
        int valid = loss.compute(cos, labels).proxiesWithPositives();

        return new Differences(
                Math.abs(scoreAndGrad.getFirst() - c.expectedScalar("loss")),
                maxAbsDiff(cos, c.expected("cos")),
                maxAbsDiff(dCos.div(batch), c.expected("dL_dcos")),
                maxAbsDiff(dX, c.expected("dX")),
                maxAbsDiff(dP, c.expected("dP")),
                valid);
    }

    static double maxAbsDiff(INDArray actual, INDArray expected) {
        return actual.castTo(DataType.DOUBLE).reshape(expected.shape()).sub(expected).amaxNumber().doubleValue();
    }
}
