package dev.proxyanchor.model.optim;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Cuts an updater's flat state view into equal consecutive parts (e.g. [m | v | step]), zeroing it when asked. */
final class StateViews {

    private StateViews() {
    }

    static INDArray[] split(INDArray view, int parts, boolean initialize) {
        INDArray flat = view.reshape(view.length());
        if (initialize) {
            flat.assign(0);
        }
        long n = flat.length() / parts;
        INDArray[] out = new INDArray[parts];
        for (int i = 0; i < parts; i++) {
            out[i] = flat.get(NDArrayIndex.interval(i * n, (i + 1) * n));
        }
        return out;
    }
}
