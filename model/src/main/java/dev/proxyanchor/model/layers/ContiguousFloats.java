package dev.proxyanchor.model.layers;

import java.nio.FloatBuffer;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** What the Java kernels ({@link BatchNormKernels}, {@link TiledMaxPoolKernels}) work on and how they split work. */
final class ContiguousFloats {

    private ContiguousFloats() {
    }

    /** Whether every array is float32 and contiguous in C order (views included). */
    static boolean all(INDArray... arrays) {
        for (INDArray a : arrays) {
            if (a.dataType() != DataType.FLOAT || a.ordering() != 'c' || a.elementWiseStride() != 1) {
                return false;
            }
        }
        return true;
    }

    /** The array's elements: ND4J's NIO view starts at the buffer, not at a view's offset. */
    static FloatBuffer of(INDArray contiguous) {
        return contiguous.data().asNioFloat().slice((int) contiguous.offset(), (int) contiguous.length());
    }

    /** 0..n-1, in parallel when ND4J itself may use more than one thread (not in a one-thread Spark task). */
    static IntStream indices(long n) {
        IntStream all = IntStream.range(0, Math.toIntExact(n));
        return Nd4j.getEnvironment().maxThreads() > 1 ? all.parallel() : all;
    }
}
