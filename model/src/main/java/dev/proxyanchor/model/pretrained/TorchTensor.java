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

    public long length() {
        return Arrays.stream(shape).reduce(1, (a, b) -> a * b);
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }
}
