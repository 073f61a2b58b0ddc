package dev.proxyanchor.model.loss;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** A reference case in float64, for tests outside this package. */
public record ReferenceCaseAccess(ReferenceCase reference) {

    public static ReferenceCaseAccess read(String name) {
        return new ReferenceCaseAccess(ReferenceCase.read(ReferenceCase.folder().resolve(name + ".json")));
    }

    public INDArray x() {
        return reference.input("X", DataType.DOUBLE);
    }

    public INDArray proxies() {
        return reference.input("P", DataType.DOUBLE);
    }

    public INDArray labels() {
        return reference.oneHotLabels(DataType.DOUBLE);
    }

    public INDArray expected(String key) {
        return reference.expected(key);
    }

    public double alpha() {
        return reference.alpha();
    }

    public double margin() {
        return reference.margin();
    }
}
