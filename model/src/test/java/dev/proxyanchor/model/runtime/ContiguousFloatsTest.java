package dev.proxyanchor.model.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The chunked copy between views that start inside larger buffers, for lengths below, at and across the 16 KB
 * (4,096 float) chunk: every element copied, nothing outside the destination touched.
 */
class ContiguousFloatsTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 4095, 4096, 4097, 3 * 4096 + 5})
    void copyWritesExactlyTheDestinationView(int length) {
        Nd4j.getRandom().setSeed(length);
        INDArray source = Nd4j.rand(DataType.FLOAT, 1, length + 3).get(NDArrayIndex.point(0),
                NDArrayIndex.interval(3, 3 + length));
        INDArray target = Nd4j.valueArrayOf(new long[] {1, length + 7}, -1f, DataType.FLOAT);
        INDArray view = target.get(NDArrayIndex.point(0), NDArrayIndex.interval(5, 5 + length));

        ContiguousFloats.copy(source, view);

        assertArrayEquals(source.toFloatVector(), view.toFloatVector());
        float[] all = target.toFloatVector();
        for (int i : new int[] {0, 4, 5 + length, 6 + length}) {
            assertArrayEquals(new float[] {-1f}, new float[] {all[i]}, "element " + i + " outside the view");
        }
    }
}
