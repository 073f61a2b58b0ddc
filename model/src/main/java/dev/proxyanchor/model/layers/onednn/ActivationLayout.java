package dev.proxyanchor.model.layers.onednn;

import org.bytedeco.dnnl.memory;

/**
 * The layout a oneDNN convolution chose for its output (a blocked one such as nChw8c, holding exactly as many floats
 * as plain NCHW), when that convolution writes its output in it for the one convolution or residual sum that reads it:
 * then neither reorders the map, forward or backward (its gradient comes back in the same layout). A residual sum of
 * two such maps is in their layout too. Opaque outside this package.
 */
public final class ActivationLayout {

    final memory.desc desc;

    ActivationLayout(memory.desc desc) {
        this.desc = desc;
    }

    public boolean sameAs(ActivationLayout other) {
        return other != null && desc.equals(other.desc);
    }
}
