package dev.proxyanchor.model.layers;

import dev.proxyanchor.model.kernels.UnitNorm;
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
 * Forward: cos = Xn Pn^T with Xn, Pn the unit rows of X and P ({@link ProxyLayer.Output}'s normalisation), and for
 * {@link ProxyLayer.Output#SQUARED_DISTANCE} q = max(0, |Xn_i|^2 + |Pn_c|^2 - 2 cos). Backward, by hand through both
 * normalisations, with G = dL/dcos (for q: G = -2 dL/dq where the clamp passes, plus 2 Xn_i rowsum and 2 Pn_c colsum
 * of it for the squared norms): dL/dX = (G Pn - Xn * rowsum(Xn .* (G Pn))) / |X| and dL/dP likewise with G^T Xn. On
 * the CPU backend in float32 the normalisations and their backward passes are sweeps on the heap ({@link UnitRows})
 * around ND4J's matrix products; otherwise (float64 gradient checks, GPU arrays) every step is an ND4J op.
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
        UnitNorm form = layerConf().getOutput().unitNorm();
        Side xn = Side.of(x, form, x, proxies);
        Side pn = Side.of(proxies, form, x, proxies);
        INDArray cos = xn.unit.mmul(pn.unit.transpose());
        INDArray out = layerConf().getOutput() == ProxyLayer.Output.COSINE ? cos
                : Transforms.relu(beforeClamp(xn, pn, cos), false);
        return workspaceMgr.leverageTo(ArrayType.ACTIVATIONS, out);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        INDArray g = epsilon.castTo(dataType);
        INDArray input = this.input.castTo(dataType);
        INDArray proxies = getParam(ProxyLayer.PROXIES);
        INDArray proxyGrad = gradientViews.get(ProxyLayer.PROXIES);
        UnitNorm form = layerConf().getOutput().unitNorm();
        Side x = Side.of(input, form, input, proxies, g, proxyGrad);
        Side p = Side.of(proxies, form, input, proxies, g, proxyGrad);
        INDArray dXn;
        INDArray dPn;
        if (layerConf().getOutput() == ProxyLayer.Output.COSINE) {
            dXn = g.mmul(p.unit);
            dPn = g.transpose().mmul(x.unit);
        } else {
            // q = |xn|^2 + |pn|^2 - 2 xn.pn where that is >= 0 (torch's clamp passes its gradient at the bound).
            INDArray passed = g.mul(beforeClamp(x, p, x.unit.mmul(p.unit.transpose())).gte(0.0).castTo(dataType));
            dXn = passed.mmul(p.unit).muli(-2).addi(x.unit.mulColumnVector(passed.sum(true, 1).muli(2)));
            dPn = passed.transpose().mmul(x.unit).muli(-2)
                    .addi(p.unit.mulColumnVector(passed.sum(true, 0).reshape(p.unit.size(0), 1).muli(2)));
        }
        INDArray dX = input.ulike();
        x.backprop(dXn, dX);
        p.backprop(dPn, proxyGrad);
        Gradient gradient = new DefaultGradient();
        gradient.gradientForVariable().put(ProxyLayer.PROXIES, proxyGrad);
        return new Pair<>(gradient, workspaceMgr.leverageTo(ArrayType.ACTIVATION_GRAD, dX));
    }

    /** |xn_i|^2 + |pn_c|^2 - 2 cos_ic, before the clamp at 0. */
    private static INDArray beforeClamp(Side x, Side p, INDArray cos) {
        INDArray squaredX = x.unit.mul(x.unit).sum(true, 1);
        INDArray squaredP = p.unit.mul(p.unit).sum(true, 1).reshape(1, p.unit.size(0));
        return cos.mul(-2).addiColumnVector(squaredX).addiRowVector(squaredP);
    }

    private void checkInput() {
        long expected = layerConf().getNIn();
        if (input.rank() != 2 || input.size(1) != expected) {
            throw new IllegalArgumentException("the proxy layer expects B x " + expected + " embeddings, got shape "
                    + java.util.Arrays.toString(input.shape()) + " " + layerId());
        }
    }

    /** Rows divided by their L2 norm, and the backward pass through that division. */
    private abstract static class Side {
        final INDArray unit;

        Side(INDArray unit) {
            this.unit = unit;
        }

        /** The heap sweeps when every array involved is contiguous float32 on the host, else ND4J ops. */
        static Side of(INDArray rows, UnitNorm form, INDArray... involved) {
            return UnitRows.accepts(involved) ? new Heap(UnitRows.of(rows, form)) : Nd4jOps.of(rows, form);
        }

        /** Writes dL/drows from dL/dunit into {@code out}. */
        abstract void backprop(INDArray dUnit, INDArray out);
    }

    private static final class Heap extends Side {
        private final UnitRows rows;

        Heap(UnitRows rows) {
            super(rows.unit);
            this.rows = rows;
        }

        @Override
        void backprop(INDArray dUnit, INDArray out) {
            rows.backprop(dUnit, out);
        }
    }

    private static final class Nd4jOps extends Side {
        private final INDArray norms;
        /** 1 where the norm depends on the row, 0 where the clamp made it a constant; null: 1 everywhere. */
        private final INDArray projected;

        private Nd4jOps(INDArray unit, INDArray norms, INDArray projected) {
            super(unit);
            this.norms = norms;
            this.projected = projected;
        }

        static Nd4jOps of(INDArray raw, UnitNorm form) {
            INDArray squares = raw.mul(raw).sum(true, 1);
            if (form == UnitNorm.ROOT_WITH_EPSILON) {
                INDArray norms = Transforms.sqrt(squares.add(UnitNorm.EPS), false);
                return new Nd4jOps(raw.divColumnVector(norms), norms, null);
            }
            INDArray lengths = Transforms.sqrt(squares, false);
            INDArray norms = Transforms.max(lengths, UnitNorm.EPS, true);
            return new Nd4jOps(raw.divColumnVector(norms), norms, lengths.gte(UnitNorm.EPS).castTo(raw.dataType()));
        }

        /** (d - unit * rowsum(unit .* d)) / norm, without the projection where the norm is a constant. */
        @Override
        void backprop(INDArray dUnit, INDArray out) {
            INDArray along = unit.mul(dUnit).sum(true, 1);
            if (projected != null) {
                along.muli(projected);
            }
            out.assign(dUnit.sub(unit.mulColumnVector(along)).diviColumnVector(norms));
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
