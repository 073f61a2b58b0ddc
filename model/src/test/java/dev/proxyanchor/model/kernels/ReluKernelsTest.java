package dev.proxyanchor.model.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The ReLU sweeps, which read and write the arrays' memory in place, against the element-wise definitions: lengths
 * that are not a multiple of the SIMD width or of a chunk, arrays that are views starting inside a larger buffer,
 * and NaN, signed zeros and negatives in the data.
 */
class ReluKernelsTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 8, 4095, 4097, 9001})
    void sweepsMatchTheElementwiseDefinitions(int length) {
        float[] x = values(length, 1);
        float[] b = values(length, 2);
        float[] dy = values(length, 3);
        INDArray xa = viewOf(x);
        INDArray ba = viewOf(b);
        INDArray dya = viewOf(dy);

        INDArray out = viewOf(new float[length]);
        ReluKernels.forward(xa, out);
        float[] expected = new float[length];
        for (int i = 0; i < length; i++) {
            expected[i] = Math.max(x[i], 0f);
        }
        assertArrayEquals(expected, out.toFloatVector(), "forward");

        ReluKernels.backward(xa, dya, out);
        for (int i = 0; i < length; i++) {
            expected[i] = x[i] > 0 ? dy[i] : 0f;
        }
        assertArrayEquals(expected, out.toFloatVector(), "backward");

        ReluKernels.sumForward(xa, ba, out);
        for (int i = 0; i < length; i++) {
            expected[i] = Math.max(x[i] + b[i], 0f);
        }
        assertArrayEquals(expected, out.toFloatVector(), "sum forward");

        INDArray second = viewOf(new float[length]);
        ReluKernels.backwardToBoth(xa, dya, out, second);
        for (int i = 0; i < length; i++) {
            expected[i] = x[i] > 0 ? dy[i] : 0f;
        }
        assertArrayEquals(expected, out.toFloatVector(), "backward to the first summand");
        assertArrayEquals(expected, second.toFloatVector(), "backward to the second summand");
        assertArrayEquals(values(length, 1), xa.toFloatVector(), "inputs untouched");
    }

    /** Values with NaN, signed zeros and negatives mixed in. */
    private static float[] values(int length, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] v = new float[length];
        for (int i = 0; i < length; i++) {
            v[i] = switch (random.nextInt(10)) {
                case 0 -> Float.NaN;
                case 1 -> 0f;
                case 2 -> -0f;
                default -> (float) (random.nextDouble() * 2 - 1);
            };
        }
        return v;
    }

    /** {@code values} as the middle row of a three-row matrix: a contiguous view at a non-zero offset. */
    private static INDArray viewOf(float[] values) {
        INDArray matrix = Nd4j.rand(DataType.FLOAT, 3, values.length);
        INDArray row = matrix.get(NDArrayIndex.point(1), NDArrayIndex.all());
        row.assign(Nd4j.createFromArray(values));
        return row;
    }
}
