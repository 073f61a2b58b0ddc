package dev.proxyanchor.model.layers;

import dev.proxyanchor.model.layers.onednn.ActivationLayout;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A vertex that may hand its output over in oneDNN's own layout during training: a folded convolution
 * ({@link OneDnnConvolutionImpl}) or a residual sum of such maps ({@link ResidualReluImpl}). Its readers find it
 * through {@link BatchNormFolding#handoffWriterOf} on first sight and link themselves, and from then on read this pass's
 * layout from it.
 */
interface LayoutWriter {

    /** The layout of this pass's output when it was handed over, else null (plain NCHW). */
    ActivationLayout handedOverOutputLayout();

    /** The array this pass returned. */
    INDArray handedOverOutput();

    /** {@code reader}, a convolution, reads this vertex's output. */
    void linkReader(OneDnnConvolutionImpl reader);

    /** {@code sum} reads this vertex's output. */
    void linkReader(ResidualReluImpl sum);
}
