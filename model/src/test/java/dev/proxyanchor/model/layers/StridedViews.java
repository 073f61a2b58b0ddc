package dev.proxyanchor.model.layers;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Test inputs given as views, the way DL4J hands a layer a concatenation's slices. */
final class StridedViews {

    private StridedViews() {
    }

    /** The same values as a view: channels 1..C of a larger array whose channel 0 is filler. */
    static INDArray channelSlice(INDArray a) {
        long[] shape = a.shape().clone();
        shape[1] += 1;
        INDArray larger = Nd4j.rand(a.dataType(), shape);
        INDArray view = larger.get(NDArrayIndex.all(), NDArrayIndex.interval(1, shape[1]), NDArrayIndex.all(),
                NDArrayIndex.all());
        view.assign(a);
        return view;
    }
}
