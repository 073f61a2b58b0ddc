package dev.proxyanchor.model.layers;

import java.util.Collection;
import java.util.List;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.regularization.Regularization;

/**
 * BatchNorm as the official PyTorch code trains it, on top of DL4J's layer:
 * <ul>
 *   <li>weight decay reaches gamma and beta too (PyTorch's optimizers decay every parameter; DL4J's BatchNorm
 *       exempts them);</li>
 *   <li>{@code frozenStatistics} is the official {@code --bn-freeze 1}: the layer stays in eval mode while the
 *       network trains, normalising with its running statistics and never updating them, while gamma and beta
 *       still receive gradients (and train once the warm-up is over);</li>
 *   <li>{@link #followedByRelu()} fuses the ReLU that follows BatchNorm in every backbone into the layer: applied in
 *       place on the output, its mask rebuilt from the normalised input in the backward pass, which saves a separate
 *       activation layer's copies of a full feature map forward and backward (NCHW feature maps only);</li>
 *   <li>{@link #isFoldable()}: the layer reads a convolution's output that nothing else reads (set by
 *       {@link BatchNormFolding#markFoldable}). With frozen statistics the two then run as one convolution with the
 *       BatchNorm folded into its weights and bias (and the ReLU as its post-op), an execution detail: parameters,
 *       their gradients and checkpoints are those of the two layers.</li>
 * </ul>
 * Statistics are stored as variance (not log-std) so that PyTorch's running_var maps onto them one to one.
 */
public class TorchBatchNorm extends BatchNormalization {

    private boolean frozenStatistics;
    private boolean fusedRelu;
    private boolean foldable;
    private boolean readByOneConvolution;
    private boolean readByOneResidualSum;

    /** For JSON and Java deserialisation. */
    public TorchBatchNorm() {
        super();
        setUseLogStd(false);
    }

    public static TorchBatchNorm of(long channels, boolean frozenStatistics) {
        TorchBatchNorm bn = new TorchBatchNorm();
        bn.setNIn(channels);
        bn.setNOut(channels);
        bn.setEps(1e-5);
        // PyTorch momentum 0.1 == DL4J decay 0.9: running = 0.9 * running + 0.1 * batch.
        bn.setDecay(0.9);
        bn.frozenStatistics = frozenStatistics;
        return bn;
    }

    /** This layer with the ReLU that follows it fused in. */
    public TorchBatchNorm followedByRelu() {
        this.fusedRelu = true;
        return this;
    }

    public boolean isFusedRelu() {
        return fusedRelu;
    }

    public void setFusedRelu(boolean fusedRelu) {
        this.fusedRelu = fusedRelu;
    }

    public boolean isFoldable() {
        return foldable;
    }

    public void setFoldable(boolean foldable) {
        this.foldable = foldable;
    }

    /**
     * Whether a foldable layer's output is read by one {@link OneDnnConvolution} and nothing else (set by
     * {@link BatchNormFolding#markFoldable}): the two convolutions may then hand the map over in oneDNN's own layout.
     */
    public boolean isReadByOneConvolution() {
        return readByOneConvolution;
    }

    public void setReadByOneConvolution(boolean readByOneConvolution) {
        this.readByOneConvolution = readByOneConvolution;
    }

    /**
     * Whether a foldable layer's output is read by one {@link ResidualRelu} and nothing else, a sum whose maps stay in
     * oneDNN's own layout (set by {@link BatchNormFolding#markFoldable}; see {@link ResidualRelu#getHandoffReaders()}).
     */
    public boolean isReadByOneResidualSum() {
        return readByOneResidualSum;
    }

    public void setReadByOneResidualSum(boolean readByOneResidualSum) {
        this.readByOneResidualSum = readByOneResidualSum;
    }

    public boolean isFrozenStatistics() {
        return frozenStatistics;
    }

    public void setFrozenStatistics(boolean frozenStatistics) {
        this.frozenStatistics = frozenStatistics;
    }

    @Override
    public List<Regularization> getRegularizationByParam(String paramName) {
        if (BatchNormalizationParamInitializer.GAMMA.equals(paramName)
                || BatchNormalizationParamInitializer.BETA.equals(paramName)) {
            return getRegularization();
        }
        return null;
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
            Collection<TrainingListener> trainingListeners, int layerIndex, INDArray layerParamsView,
            boolean initializeParams, DataType networkDataType) {
        return LayerWiring.wire(new TorchBatchNormImpl(conf, networkDataType), conf, trainingListeners, layerIndex,
                layerParamsView, initializeParams);
    }

    @Override
    public TorchBatchNorm clone() {
        return (TorchBatchNorm) super.clone();
    }

    @Override
    public boolean equals(Object o) {
        return super.equals(o) && o instanceof TorchBatchNorm other && other.frozenStatistics == frozenStatistics
                && other.fusedRelu == fusedRelu && other.foldable == foldable
                && other.readByOneConvolution == readByOneConvolution
                && other.readByOneResidualSum == readByOneResidualSum;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(super.hashCode(), frozenStatistics, fusedRelu, foldable, readByOneConvolution,
                readByOneResidualSum);
    }
}
