package dev.proxyanchor.model.pretrained;

import java.util.Arrays;

/**
 * One tensor of a PyTorch state_dict, in C order, converted to float (the networks here train in float32).
 *
 * @param dtype  the storage type it was saved with, e.g. {@code FloatStorage}
 * @param shape  its size, as PyTorch reports it
 * @param values its elements in row-major order
 */
public record TorchTensor(String dtype, long[] shape, float[] values) {

    /** The storage type of float32 tensors. */
    public static final String FLOAT = "FloatStorage";
    /** The storage type of int64 tensors, such as BatchNorm's num_batches_tracked. */
    public static final String LONG = "LongStorage";

    public long length() {
        return Arrays.stream(shape).reduce(1, (a, b) -> a * b);
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }
}
