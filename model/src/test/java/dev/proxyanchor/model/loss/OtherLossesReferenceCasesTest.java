package dev.proxyanchor.model.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxyanchor.model.layers.ProxyLayer;
import dev.proxyanchor.model.layers.ProxyLayerImpl;
import dev.proxyanchor.model.recipe.Recipe;
import java.util.Arrays;
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

/**
 * Every case of the official baselines' reference folder ({@code -Dproxyanchor.other-loss-cases=DIR}, default
 * {@code shared/testdata/other-losses-cases} found upward), run as DL4J runs the loss in training (the loss's proxies
 * layer from the registry where it has one, then the loss with DL4J's B x L scaling undone): in float64 the loss,
 * dL/dX (and dL/dP) and the reported parts within the case's suggested tolerance, and the mined tuples (MS as sets,
 * the triplets and NPair's pairs in their order); in float32, the training precision, the loss against PML's float32
 * loss where PML kept the same selection, else against the float64 meaning this implementation computes.
 */
class OtherLossesReferenceCasesTest {

    static List<OtherLossCase> cases() {
        return OtherLossCase.all();
    }

    /** What a run produced: the loss (from DL4J's score), dL/dX, dL/dP (null without proxies) and the loss's value. */
    record Outcome(double loss, INDArray dX, INDArray dP, MetricLoss.Value value) {
    }

    @ParameterizedTest(name = "{0} float64")
    @MethodSource("cases")
    void lossGradientsPartsAndMinedTuplesMatchInFloat64(OtherLossCase c) {
        Outcome out = run(c, DataType.DOUBLE);
        assertRelative(c.expectedLoss(), out.loss(), c.tolerance("float64_loss_rel"), c + ": loss");
        double gradTol = c.tolerance("float64_grad_abs");
        assertWithin(c.expected("dX"), out.dX(), gradTol, c + ": dL/dX");
        if (out.dP() != null) {
            assertWithin(c.expected("dP"), out.dP(), gradTol, c + ": dL/dP");
        }
        ExpectedParts.check(c, out.value());
    }

    @ParameterizedTest(name = "{0} float32")
    @MethodSource("cases")
    void lossMatchesInFloat32(OtherLossCase c) {
        Outcome out = run(c, DataType.FLOAT);
        double expected = c.float32SameSelection() ? c.expectedFloat32Loss() : c.expectedLoss();
        assertRelative(expected, out.loss(), c.tolerance("float32_loss_rel"), c + ": float32 loss");
    }

    /** The loss (and its proxies layer) as training runs them, on the case's inputs in {@code type}. */
    static Outcome run(OtherLossCase c, DataType type) {
        INDArray x = c.input("X", type);
        INDArray labels = c.oneHotLabels(type);
        int batch = labels.rows();
        Recipe recipe = Recipe.builder().loss(c.loss()).embeddingSize((int) x.size(1)).numClasses(c.numClasses())
                .build();
        MetricLoss<?> loss = recipe.lossFunction();
        LayerWorkspaceMgr noWorkspaces = LayerWorkspaceMgr.noWorkspaces();
        ProxyLayerImpl proxies = recipe.lossEntry().proxyHead()
                .map(head -> proxyLayer(head.layer((int) x.size(1), c.numClasses()), c.input("P", type), type))
                .orElse(null);
        INDArray lossInput = x;
        if (proxies != null) {
            proxies.setInput(x, noWorkspaces);
            lossInput = proxies.activate(true, noWorkspaces);
        }
        Pair<Double, INDArray> scoreAndGrad =
                loss.computeGradientAndScore(labels, lossInput, new ActivationIdentity(), null, true);
        INDArray dInput = scoreAndGrad.getSecond();
        INDArray dX = dInput;
        INDArray dP = null;
        if (proxies != null) {
            Pair<Gradient, INDArray> back = proxies.backpropGradient(dInput, noWorkspaces);
            dX = back.getSecond();
            dP = back.getFirst().getGradientFor(ProxyLayer.PROXIES).div(batch);
        }
        return new Outcome(scoreAndGrad.getFirst(), dX.div(batch), dP, loss.evaluate(lossInput, labels));
    }

    private static ProxyLayerImpl proxyLayer(ProxyLayer conf, INDArray proxies, DataType type) {
        NeuralNetConfiguration nn = new NeuralNetConfiguration.Builder().dataType(type).layer(conf).build();
        long numParams = conf.initializer().numParams(nn);
        ProxyLayerImpl layer = (ProxyLayerImpl) conf.instantiate(nn, null, 0, Nd4j.create(type, 1, numParams), true,
                type);
        layer.setBackpropGradientsViewArray(Nd4j.create(type, 1, numParams));
        layer.setParam(ProxyLayer.PROXIES, proxies);
        return layer;
    }

    static void assertRelative(double expected, double actual, double relative, String what) {
        assertTrue(Math.abs(actual - expected) <= relative * Math.abs(expected),
                what + ": expected " + expected + ", got " + actual);
    }

    static void assertWithin(INDArray expected, INDArray actual, double absolute, String what) {
        double diff = actual.castTo(DataType.DOUBLE).reshape(expected.shape()).sub(expected).amaxNumber()
                .doubleValue();
        assertTrue(diff <= absolute, what + " differs by " + diff);
    }

    static void assertSameTuples(int[][] expected, int[][] actual, String what) {
        assertEquals(Arrays.deepToString(expected), Arrays.deepToString(actual), what);
    }
}
