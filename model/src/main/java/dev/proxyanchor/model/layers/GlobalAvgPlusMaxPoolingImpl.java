package dev.proxyanchor.model.layers;

import dev.proxyanchor.model.kernels.GlobalAvgPlusMaxKernels;
import dev.proxyanchor.model.runtime.ContiguousFloats;
import java.util.Arrays;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.pooling.GlobalPoolingLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastCopyOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.api.ops.impl.transforms.any.IsMax;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Global average plus global maximum over H and W of NCHW feature maps. Contiguous float32 maps on the CPU backend
 * take {@link GlobalAvgPlusMaxKernels}; anything else (float64 gradient checks, GPU arrays) takes ND4J ops, as DL4J's
 * own global pooling layers would.
 */
public class GlobalAvgPlusMaxPoolingImpl extends GlobalPoolingLayer {

    private static final int[] SPATIAL = {2, 3};
    private static final int[] PER_PLANE = {0, 1};

    /** Each plane's maximum position from the last kernel forward pass, for the input shape it had; else null. */
    private int[] winners;
    private long[] winnersInputShape;

    public GlobalAvgPlusMaxPoolingImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        checkInput();
        if (ContiguousFloats.all(input)) {
            INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT,
                    new long[] {input.size(0), input.size(1)}, 'c');
            int planes = Math.toIntExact(input.size(0) * input.size(1));
            winners = winners != null && winners.length == planes ? winners : new int[planes];
            GlobalAvgPlusMaxKernels.forward(input, out, winners);
            winnersInputShape = input.shape();
            return out;
        }
        winnersInputShape = null;
        INDArray x = input.castTo(dataType);
        return workspaceMgr.leverageTo(ArrayType.ACTIVATIONS, x.mean(SPATIAL).addi(x.max(SPATIAL)));
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        checkInput();
        INDArray dy = epsilon.reshape(epsilon.ordering(), input.size(0), input.size(1));
        INDArray dx;
        if (winnersInputShape != null && Arrays.equals(winnersInputShape, input.shape())) {
            dy = ContiguousFloats.all(dy) ? dy : dy.castTo(DataType.FLOAT).dup('c');
            dx = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, DataType.FLOAT, input.shape(), 'c');
            GlobalAvgPlusMaxKernels.backward(dy, winners, dx);
        } else {
            INDArray x = input.castTo(dataType);
            dy = dy.castTo(dataType);
            INDArray atMax = Nd4j.exec(new IsMax(x, x.ulike(), SPATIAL))[0];
            Nd4j.getExecutioner().exec(new BroadcastMulOp(atMax, dy, atMax, PER_PLANE));
            dx = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, input.shape(), 'c');
            Nd4j.getExecutioner().exec(new BroadcastCopyOp(dx, dy, dx, PER_PLANE));
            dx.divi(input.size(2) * input.size(3)).addi(atMax);
        }
        return new Pair<>(new DefaultGradient(), dx);
    }

    private void checkInput() {
        if (input.rank() != 4) {
            throw new IllegalStateException("layer " + layerId() + " pools [N, C, H, W] feature maps; got shape "
                    + Arrays.toString(input.shape()));
        }
        if (maskArray != null) {
            throw new IllegalStateException("layer " + layerId() + " does not support masks (image feature maps have "
                    + "none); got one of shape " + Arrays.toString(maskArray.shape()));
        }
    }
}
