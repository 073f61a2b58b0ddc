package dev.proxyanchor.model.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * DL4J's BatchNorm, plus the eval-mode training of {@link TorchBatchNorm#isFrozenStatistics()}: forward with the
 * running statistics, backward through the resulting per-channel affine map
 * y = gamma * (x - mean) / sqrt(var + eps) + beta.
 */
public class TorchBatchNormImpl extends BatchNormalization {

    public TorchBatchNormImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    private boolean frozen() {
        return ((TorchBatchNorm) conf.getLayer()).isFrozenStatistics();
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        return super.activate(training && !frozen(), workspaceMgr);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        if (!frozen()) {
            return super.backpropGradient(epsilon, workspaceMgr);
        }
        assertInputSet(true);
        INDArray x = input.castTo(dataType);
        INDArray dy = epsilon.castTo(dataType);
        int[] reduce = x.rank() == 4 ? new int[] {0, 2, 3} : new int[] {0};

        INDArray mean = getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN).reshape(-1);
        INDArray var = getParam(BatchNormalizationParamInitializer.GLOBAL_VAR).reshape(-1);
        INDArray gamma = getParam(BatchNormalizationParamInitializer.GAMMA).reshape(-1);
        INDArray invStd = Transforms.pow(var.add(layerConf().getEps()), -0.5, false);

        INDArray xHat = x.sub(mean.reshape(shapeFor(x, mean))).muli(invStd.reshape(shapeFor(x, invStd)));
        INDArray dGamma = dy.mul(xHat).sum(reduce);
        INDArray dBeta = dy.sum(reduce);
        INDArray dx = dy.mul(gamma.mul(invStd).reshape(shapeFor(x, gamma)));

        Gradient gradient = new DefaultGradient();
        INDArray gammaView = gradientViews.get(BatchNormalizationParamInitializer.GAMMA);
        INDArray betaView = gradientViews.get(BatchNormalizationParamInitializer.BETA);
        gammaView.assign(dGamma.reshape(gammaView.shape()));
        betaView.assign(dBeta.reshape(betaView.shape()));
        INDArray meanView = gradientViews.get(BatchNormalizationParamInitializer.GLOBAL_MEAN);
        INDArray varView = gradientViews.get(BatchNormalizationParamInitializer.GLOBAL_VAR);
        meanView.assign(0);
        varView.assign(0);
        gradient.setGradientFor(BatchNormalizationParamInitializer.GAMMA, gammaView);
        gradient.setGradientFor(BatchNormalizationParamInitializer.BETA, betaView);
        gradient.setGradientFor(BatchNormalizationParamInitializer.GLOBAL_MEAN, meanView);
        gradient.setGradientFor(BatchNormalizationParamInitializer.GLOBAL_VAR, varView);
        return new Pair<>(gradient, workspaceMgr.leverageTo(ArrayType.ACTIVATION_GRAD, dx));
    }

    /** A per-channel vector shaped to broadcast over NCHW or N x C input. */
    private static long[] shapeFor(INDArray x, INDArray perChannel) {
        return x.rank() == 4 ? new long[] {1, perChannel.length(), 1, 1} : new long[] {1, perChannel.length()};
    }
}
