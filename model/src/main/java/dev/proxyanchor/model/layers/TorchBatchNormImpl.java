package dev.proxyanchor.model.layers;

import dev.proxyanchor.model.kernels.BatchNormFold;
import dev.proxyanchor.model.kernels.BatchNormKernels;
import dev.proxyanchor.model.kernels.ReluKernels;
import dev.proxyanchor.model.runtime.ContiguousFloats;
import org.deeplearning4j.nn.conf.CNN2DFormat;
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
import org.nd4j.linalg.api.ops.BaseScalarOp;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarMultiplication;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarSubtraction;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * BatchNorm as PyTorch trains it, on DL4J's layer.
 *
 * <ul>
 *   <li>Training with batch statistics on contiguous NCHW float32 input runs {@link BatchNormKernels}: the fewest
 *       sweeps over memory the maths needs, ReLU fused, running statistics updated as below.</li>
 *   <li>Other training with batch statistics on NCHW input (float64, for gradient checks; strided input) composes
 *       the same passes from ND4J ops: DL4J 1.0.0-M2.1's
 *       oneDNN helper computes the batch variance with a strided legacy reduction and its backward pass through a
 *       slow {@code batchnorm_bp}, together a third of the small CNN's training step. Here every per-channel
 *       operation works on the contiguous {@code [N*C, H*W]} view (row sums and one scalar per row), the
 *       running variance takes PyTorch's unbiased batch estimate (DL4J's takes the biased one), and the running
 *       statistics are updated the way DL4J expects: as a "gradient" {@code (1 - decay) * (running - batch)} that
 *       their no-op updater subtracts.</li>
 *   <li>{@link TorchBatchNorm#isFrozenStatistics()} (the official {@code --bn-freeze 1}): forward with the running
 *       statistics, backward through the resulting per-channel affine map
 *       y = gamma * (x - mean) / sqrt(var + eps) + beta.</li>
 *   <li>Frozen or in inference, and {@link TorchBatchNorm#isFoldable() foldable}, on the CPU backend in float32:
 *       the convolution before it computes this layer's output ({@link BatchNormFolding}), this layer passes it on
 *       and, backward, applies only the fused ReLU's mask; the convolution fills gamma's and beta's gradients.</li>
 *   <li>Inference, and any other layout, is DL4J's own path.</li>
 * </ul>
 */
public class TorchBatchNormImpl extends BatchNormalization {

    /** Batch statistics of the last training forward pass, for its backward pass. */
    private INDArray batchMean;
    private INDArray batchInvStd;
    private INDArray batchVarUnbiased;
    /** Statistics of the last training forward pass when {@link BatchNormKernels} ran it, else null. */
    private BatchNormKernels.Statistics kernelStatistics;
    /** The convolution this layer is folded into, once the two have found each other. */
    private OneDnnConvolutionImpl foldedInto;
    /** Whether the last forward pass was the convolution's folded one (this layer passed its input on). */
    private boolean passedOn;

    public TorchBatchNormImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    boolean frozen() {
        return ((TorchBatchNorm) conf.getLayer()).isFrozenStatistics();
    }

    /** Whether this layer's output is read by one convolution and nothing else (see {@link TorchBatchNorm}). */
    boolean readByOneConvolution() {
        return ((TorchBatchNorm) conf.getLayer()).isReadByOneConvolution();
    }

    /** Whether this layer's output is read by one residual sum that keeps oneDNN's layout (see {@link TorchBatchNorm}). */
    boolean readByOneResidualSum() {
        return ((TorchBatchNorm) conf.getLayer()).isReadByOneResidualSum();
    }

    private boolean fusedRelu() {
        return ((TorchBatchNorm) conf.getLayer()).isFusedRelu();
    }

    private boolean nchw(INDArray x) {
        return x.rank() == 4 && layerConf().getCnn2DFormat() == CNN2DFormat.NCHW;
    }

    private boolean ownBatchPass(INDArray x) {
        return nchw(x) && !layerConf().isLockGammaBeta() && x.size(0) * x.size(2) * x.size(3) > 1;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        if (fusedRelu() && !nchw(input)) {
            throw new IllegalStateException("layer " + layerId() + ": a fused ReLU needs NCHW feature maps, got shape "
                    + java.util.Arrays.toString(input.shape()));
        }
        boolean batchStatistics = training && !frozen();
        kernelStatistics = null;
        passedOn = foldedInto != null && foldedInto.foldedOutput() == input;
        if (passedOn) {
            // The same array in training; in inference DL4J keeps each layer's output in its own workspace.
            return workspaceMgr.leverageTo(ArrayType.ACTIVATIONS, input);
        }
        if (foldedInto == null && ((TorchBatchNorm) conf.getLayer()).isFoldable()
                && !layerConf().isLockGammaBeta() && nchw(input)) {
            foldedInto = BatchNormFolding.producerOf(input);
            if (foldedInto != null) {
                foldedInto.fold(this);
            }
        }
        INDArray out;
        if (batchStatistics && ownBatchPass(input) && ContiguousFloats.all(input)) {
            return kernelForward(workspaceMgr);
        } else if (batchStatistics && ownBatchPass(input)) {
            out = batchForward(workspaceMgr);
        } else {
            batchMean = null;
            out = super.activate(batchStatistics, workspaceMgr);
        }
        return fusedRelu() ? Transforms.relu(out, false) : out;
    }

    /**
     * dL/d(normalised output) from dL/d(layer output): the fused ReLU passes the gradient where gamma * xHat + beta
     * is positive. {@code xHat} is {@code [N*C, H*W]} rows.
     */
    private INDArray throughRelu(INDArray dyRows, INDArray xHat, INDArray gamma, INDArray beta,
            LayerWorkspaceMgr workspaceMgr) {
        if (!fusedRelu()) {
            return dyRows;
        }
        INDArray preActivation = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, xHat.shape(),
                'c');
        alongRows(new ScalarMultiplication(xHat, perRow(gamma, xHat), preActivation, 0.0));
        preActivation.addiColumnVector(perRow(beta, xHat).reshape(-1, 1));
        // A 0/1 step then a product: ND4J's relu_bp op took twice as long over the same arrays.
        Nd4j.exec(new Step(preActivation, preActivation, 0.0));
        INDArray masked = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, xHat.shape(), 'c');
        Nd4j.exec(new MulOp(dyRows, preActivation, masked));
        return masked;
    }

    private INDArray kernelForward(LayerWorkspaceMgr workspaceMgr) {
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, input.shape(), 'c');
        kernelStatistics = BatchNormKernels.forward(input, vector(BatchNormalizationParamInitializer.GAMMA),
                vector(BatchNormalizationParamInitializer.BETA), layerConf().getEps(), fusedRelu(), out);
        batchMean = null;
        return out;
    }

    private Pair<Gradient, INDArray> kernelBackward(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        INDArray dy = ContiguousFloats.all(epsilon) ? epsilon : epsilon.castTo(DataType.FLOAT).dup('c');
        INDArray dx = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, input.shape(), 'c');
        int channels = (int) input.size(1);
        double[] dGamma = new double[channels];
        double[] dBeta = new double[channels];
        BatchNormKernels.Statistics stats = kernelStatistics;
        BatchNormKernels.backward(input, dy, vector(BatchNormalizationParamInitializer.GAMMA),
                vector(BatchNormalizationParamInitializer.BETA), stats, fusedRelu(), dx, dGamma, dBeta);

        double keep = 1 - layerConf().getDecay();
        double unbias = stats.perChannel() / (stats.perChannel() - 1.0);
        double[] runningMean = vector(BatchNormalizationParamInitializer.GLOBAL_MEAN);
        double[] runningVar = vector(BatchNormalizationParamInitializer.GLOBAL_VAR);
        double[] meanStep = new double[channels];
        double[] varStep = new double[channels];
        for (int c = 0; c < channels; c++) {
            meanStep[c] = keep * (runningMean[c] - stats.mean()[c]);
            varStep[c] = keep * (runningVar[c] - stats.biasedVariance()[c] * unbias);
        }
        Gradient gradient = gradient(Nd4j.createFromArray(dGamma), Nd4j.createFromArray(dBeta),
                Nd4j.createFromArray(meanStep), Nd4j.createFromArray(varStep));
        return new Pair<>(gradient, dx);
    }

    private double[] vector(String param) {
        return getParam(param).toDoubleVector();
    }

    private INDArray batchForward(LayerWorkspaceMgr workspaceMgr) {
        INDArray x = rows(input.castTo(dataType));
        long channels = input.size(1);
        long perChannel = x.length() / channels;

        INDArray mean = channelSums(x, channels).divi(perChannel);
        INDArray centred = workspaceMgr.createUninitialized(ArrayType.FF_WORKING_MEM, dataType, x.shape(), 'c');
        alongRows(new ScalarSubtraction(x, perRow(mean, x), centred, 0.0));
        INDArray var = channelSums(centred.muli(centred), channels).divi(perChannel);
        INDArray invStd = Transforms.pow(var.add(layerConf().getEps()), -0.5, false);

        INDArray scale = getParam(BatchNormalizationParamInitializer.GAMMA).reshape(-1).mul(invStd);
        INDArray shift = getParam(BatchNormalizationParamInitializer.BETA).reshape(-1).sub(mean.mul(scale));
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, input.shape(), 'c');
        INDArray outRows = out.reshape('c', x.shape());
        alongRows(new ScalarMultiplication(x, perRow(scale, x), outRows, 0.0));
        outRows.addiColumnVector(perRow(shift, x).reshape(-1, 1));

        batchMean = mean.detach();
        batchInvStd = invStd.detach();
        batchVarUnbiased = var.muli(perChannel / (perChannel - 1.0)).detach();
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        if (passedOn) {
            return foldedBackward(epsilon, workspaceMgr);
        }
        if (frozen()) {
            return frozenBackward(epsilon, workspaceMgr);
        }
        if (kernelStatistics != null) {
            return kernelBackward(epsilon, workspaceMgr);
        }
        if (batchMean == null) {
            return super.backpropGradient(epsilon, workspaceMgr);
        }
        return batchBackward(epsilon, workspaceMgr);
    }

    /**
     * dx = gamma * invStd * (dy - mean(dy) - xHat * mean(dy * xHat)), per channel, as three one-scalar-per-row ops and
     * one addition over the {@code [N*C, H*W]} rows.
     */
    private Pair<Gradient, INDArray> batchBackward(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        INDArray x = rows(input.castTo(dataType));
        INDArray dy = rows(epsilon.castTo(dataType));
        long channels = input.size(1);
        long perChannel = x.length() / channels;

        INDArray xHat = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, x.shape(), 'c');
        alongRows(new ScalarSubtraction(x, perRow(batchMean, x), xHat, 0.0));
        xHat.muliColumnVector(perRow(batchInvStd, x).reshape(-1, 1));
        INDArray gamma = getParam(BatchNormalizationParamInitializer.GAMMA).reshape(-1);
        dy = throughRelu(dy, xHat, gamma, getParam(BatchNormalizationParamInitializer.BETA).reshape(-1),
                workspaceMgr);

        INDArray dBeta = channelSums(dy, channels);
        INDArray dyXHat = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, x.shape(), 'c');
        Nd4j.exec(new MulOp(dy, xHat, dyXHat));
        INDArray dGamma = channelSums(dyXHat, channels);

        INDArray scale = gamma.mul(batchInvStd);
        INDArray xHatFactor = scale.mul(dGamma).divi(-perChannel);
        INDArray offset = scale.mul(dBeta).divi(-perChannel);
        INDArray dx = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, input.shape(), 'c');
        INDArray dxRows = dx.reshape('c', x.shape());
        alongRows(new ScalarMultiplication(dy, perRow(scale, x), dxRows, 0.0));
        dxRows.addi(xHat.muliColumnVector(perRow(xHatFactor, x).reshape(-1, 1)));
        dxRows.addiColumnVector(perRow(offset, x).reshape(-1, 1));

        double keep = 1 - layerConf().getDecay();
        INDArray meanStep = getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN).reshape(-1).sub(batchMean);
        INDArray varStep = getParam(BatchNormalizationParamInitializer.GLOBAL_VAR).reshape(-1).sub(batchVarUnbiased);
        Gradient gradient = gradient(dGamma, dBeta, meanStep.muli(keep), varStep.muli(keep));
        return new Pair<>(gradient, dx);
    }

    private Pair<Gradient, INDArray> frozenBackward(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        INDArray x = input.castTo(dataType);
        INDArray dy = epsilon.castTo(dataType);
        int[] reduce = x.rank() == 4 ? new int[] {0, 2, 3} : new int[] {0};

        INDArray mean = getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN).reshape(-1);
        INDArray var = getParam(BatchNormalizationParamInitializer.GLOBAL_VAR).reshape(-1);
        INDArray gamma = getParam(BatchNormalizationParamInitializer.GAMMA).reshape(-1);
        INDArray invStd = Transforms.pow(var.add(layerConf().getEps()), -0.5, false);

        INDArray xHat = x.sub(mean.reshape(shapeFor(x, mean))).muli(invStd.reshape(shapeFor(x, invStd)));
        if (fusedRelu()) {
            INDArray beta = getParam(BatchNormalizationParamInitializer.BETA).reshape(-1);
            dy = throughRelu(rows(dy), rows(xHat), gamma, beta, workspaceMgr).reshape(x.shape());
        }
        INDArray dGamma = dy.mul(xHat).sum(reduce);
        INDArray dBeta = dy.sum(reduce);
        INDArray dx = dy.mul(gamma.mul(invStd).reshape(shapeFor(x, gamma)));
        Gradient gradient = gradient(dGamma, dBeta, null, null);
        return new Pair<>(gradient, workspaceMgr.leverageTo(ArrayType.ACTIVATION_GRAD, dx));
    }

    /**
     * The gradient as this layer must return it, in its own workspace (DL4J's {@code leverageTo}): a copy when it lies
     * in another one, made across threads for contiguous float32 maps (the copy of each ResNet block's widest map).
     */
    private INDArray intoOwnWorkspace(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        boolean copies = epsilon.isAttached() && !workspaceMgr.isScopedOut(ArrayType.ACTIVATION_GRAD)
                && workspaceMgr.isWorkspaceOpen(ArrayType.ACTIVATION_GRAD)
                && !epsilon.data().getParentWorkspace().getId()
                        .equals(workspaceMgr.getWorkspaceName(ArrayType.ACTIVATION_GRAD));
        if (!copies || !ContiguousFloats.all(epsilon)) {
            return workspaceMgr.leverageTo(ArrayType.ACTIVATION_GRAD, epsilon);
        }
        INDArray copy = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, DataType.FLOAT, epsilon.shape(),
                'c');
        ContiguousFloats.copy(epsilon, copy);
        return copy;
    }

    /**
     * Backward through a folded forward pass: the gradient at the convolution's output is this layer's behind the
     * ReLU's mask (the input is the ReLU's output, positive exactly where the ReLU passed). Gamma's and beta's
     * gradient views are left to the convolution ({@link OneDnnConvolutionImpl}), whose backward pass comes next and
     * knows them from its own.
     */
    private Pair<Gradient, INDArray> foldedBackward(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        INDArray dx;
        if (fusedRelu()) {
            INDArray dy = ContiguousFloats.all(epsilon) ? epsilon : epsilon.castTo(DataType.FLOAT).dup('c');
            dx = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, input.shape(), 'c');
            ReluKernels.backward(input, dy, dx);
        } else {
            dx = intoOwnWorkspace(epsilon, workspaceMgr);
        }
        Gradient gradient = new DefaultGradient();
        for (String param : new String[] {BatchNormalizationParamInitializer.GAMMA,
                BatchNormalizationParamInitializer.BETA}) {
            gradient.setGradientFor(param, gradientViews.get(param));
        }
        fill(gradient, BatchNormalizationParamInitializer.GLOBAL_MEAN, null);
        fill(gradient, BatchNormalizationParamInitializer.GLOBAL_VAR, null);
        return new Pair<>(gradient, dx);
    }

    /** The folding convolution's view of this layer: its statistics and affine parameters. */
    BatchNormFold.Statistics foldStatistics() {
        return new BatchNormFold.Statistics(vector(BatchNormalizationParamInitializer.GAMMA),
                vector(BatchNormalizationParamInitializer.BETA),
                vector(BatchNormalizationParamInitializer.GLOBAL_MEAN),
                vector(BatchNormalizationParamInitializer.GLOBAL_VAR), layerConf().getEps());
    }

    /** Where the folding convolution writes gamma's and beta's gradients. */
    void setFoldedGradients(double[] dGamma, double[] dBeta) {
        for (String param : new String[] {BatchNormalizationParamInitializer.GAMMA,
                BatchNormalizationParamInitializer.BETA}) {
            INDArray view = gradientViews.get(param);
            double[] values = param.equals(BatchNormalizationParamInitializer.GAMMA) ? dGamma : dBeta;
            view.assign(Nd4j.createFromArray(values).reshape(view.shape()).castTo(view.dataType()));
        }
    }

    boolean foldsRelu() {
        return fusedRelu();
    }

    /** The gradient views filled in; no running-statistics step means zero (they stay as they are). */
    private Gradient gradient(INDArray dGamma, INDArray dBeta, INDArray meanStep, INDArray varStep) {
        Gradient gradient = new DefaultGradient();
        fill(gradient, BatchNormalizationParamInitializer.GAMMA, dGamma);
        fill(gradient, BatchNormalizationParamInitializer.BETA, dBeta);
        fill(gradient, BatchNormalizationParamInitializer.GLOBAL_MEAN, meanStep);
        fill(gradient, BatchNormalizationParamInitializer.GLOBAL_VAR, varStep);
        return gradient;
    }

    private void fill(Gradient gradient, String param, INDArray valueOrNull) {
        INDArray view = gradientViews.get(param);
        if (valueOrNull == null) {
            view.assign(0);
        } else {
            view.assign(valueOrNull.reshape(view.shape()).castTo(view.dataType()));
        }
        gradient.setGradientFor(param, view);
    }

    /** NCHW as {@code [N*C, H*W]} rows (a view when contiguous, else a copy): each row belongs to one channel. */
    private static INDArray rows(INDArray nchw) {
        return nchw.reshape('c', nchw.size(0) * nchw.size(1), nchw.size(2) * nchw.size(3));
    }

    /**
     * Runs a scalar op with one scalar per row of {@code [N*C, H*W]} (ND4J's "scalar along dimension"): each row is
     * contiguous, where a broadcast op over the same shapes walks strided columns and took five times as long.
     */
    private static void alongRows(BaseScalarOp op) {
        op.setDimension(1);
        Nd4j.exec(op);
    }

    /** Per-channel totals of {@code [N*C, H*W]} rows: sums of each row, then of the N rows of each channel. */
    private static INDArray channelSums(INDArray rows, long channels) {
        return rows.sum(1).reshape(rows.rows() / channels, channels).sum(0);
    }

    /** A per-channel vector repeated for the N images: one value per row of the {@code [N*C, H*W]} view. */
    private static INDArray perRow(INDArray perChannel, INDArray rows) {
        int channels = (int) perChannel.length();
        int images = (int) (rows.rows() / channels);
        // Built on the heap: a few thousand values, where ND4J's repeat op cost a few percent of the training step.
        double[] values = perChannel.toDoubleVector();
        double[] repeated = new double[images * channels];
        for (int i = 0; i < images; i++) {
            System.arraycopy(values, 0, repeated, i * channels, channels);
        }
        return Nd4j.createFromArray(repeated).castTo(perChannel.dataType());
    }

    /** A per-channel vector shaped to broadcast over NCHW or N x C input. */
    private static long[] shapeFor(INDArray x, INDArray perChannel) {
        return x.rank() == 4 ? new long[] {1, perChannel.length(), 1, 1} : new long[] {1, perChannel.length()};
    }
}
