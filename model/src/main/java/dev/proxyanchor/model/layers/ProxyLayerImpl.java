package dev.proxyanchor.model.layers;

import dev.proxyanchor.model.kernels.UnitRows;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Forward: cos = normalise(X) normalise(P)^T. Backward, by hand through both normalisations, with G = dL/dcos:
 * dL/dX = (G Pn - Xn * rowsum(Xn .* (G Pn))) / |X| and dL/dP likewise with G^T Xn, where
 * |v| = sqrt(sum v^2 + 1e-12). On the CPU backend in float32 the normalisations and their backward passes are
 * sweeps on the heap ({@link UnitRows}) around ND4J's matrix products; otherwise (float64 gradient checks, GPU
 * arrays) every step is an ND4J op.
 */
public class ProxyLayerImpl extends BaseLayer<ProxyLayer> {

    public ProxyLayerImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        checkInput();
        INDArray x = input.castTo(dataType);
        INDArray proxies = getParam(ProxyLayer.PROXIES);
        INDArray cos = UnitRows.accepts(x, proxies)
                ? UnitRows.of(x).unit.mmul(UnitRows.of(proxies).unit.transpose())
                : new Normalised(x).unit.mmul(new Normalised(proxies).unit.transpose());
        return workspaceMgr.leverageTo(ArrayType.ACTIVATIONS, cos);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        INDArray g = epsilon.castTo(dataType);
        INDArray input = this.input.castTo(dataType);
        INDArray proxies = getParam(ProxyLayer.PROXIES);
        INDArray proxyGrad = gradientViews.get(ProxyLayer.PROXIES);
        INDArray dX;
        if (UnitRows.accepts(input, proxies, g, proxyGrad)) {
            UnitRows x = UnitRows.of(input);
            UnitRows p = UnitRows.of(proxies);
            dX = input.ulike();
            x.backprop(g.mmul(p.unit), dX);
            p.backprop(g.transpose().mmul(x.unit), proxyGrad);
        } else {
            Normalised x = new Normalised(input);
            Normalised p = new Normalised(proxies);
            dX = x.backprop(g.mmul(p.unit));
            proxyGrad.assign(p.backprop(g.transpose().mmul(x.unit)));
        }
        Gradient gradient = new DefaultGradient();
        gradient.gradientForVariable().put(ProxyLayer.PROXIES, proxyGrad);
        return new Pair<>(gradient, workspaceMgr.leverageTo(ArrayType.ACTIVATION_GRAD, dX));
    }

    private void checkInput() {
        long expected = layerConf().getNIn();
        if (input.rank() != 2 || input.size(1) != expected) {
            throw new IllegalArgumentException("the proxy layer expects B x " + expected + " embeddings, got shape "
                    + java.util.Arrays.toString(input.shape()) + " " + layerId());
        }
    }

    /** Rows divided by their L2 norm, keeping what the backward pass needs. */
    private static final class Normalised {
        final INDArray raw;
        final INDArray norms;
        final INDArray unit;

        Normalised(INDArray raw) {
            this.raw = raw;
            this.norms = Transforms.sqrt(raw.mul(raw).sum(true, 1).addi(ProxyLayer.NORM_EPS), false);
            this.unit = raw.divColumnVector(norms);
        }

        /** dL/draw from dL/dunit: (d - unit * rowsum(unit .* d)) / norm. */
        INDArray backprop(INDArray dUnit) {
            INDArray along = unit.mul(dUnit).sum(true, 1);
            return dUnit.sub(unit.mulColumnVector(along)).diviColumnVector(norms);
        }
    }

    @Override
    public boolean hasBias() {
        return false;
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }

    @Override
    public Type type() {
        return Type.FEED_FORWARD;
    }

    @Override
    protected INDArray preOutput(boolean training, LayerWorkspaceMgr workspaceMgr) {
        return activate(training, workspaceMgr);
    }
}
