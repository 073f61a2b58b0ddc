package dev.proxyanchor.model.runtime;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What the Java kernels (BatchNorm, max pooling, the Adam step) work on, host float32 arrays, and how they split
 * work across threads.
 */
public final class ContiguousFloats {

    /** Host memory: under CUDA the arrays live on the GPU and DL4J's (cuDNN) path runs instead. */
    private static final boolean CPU_BACKEND = Nd4j.getBackend().getClass().getSimpleName().startsWith("Cpu");

    /**
     * Whether the JVM has the Vector API ({@code --add-modules=jdk.incubator.vector}, which submit/java-opts.sh and the
     * tests pass): the kernels then run on SIMD lanes, else as scalar code.
     */
    public static final boolean VECTOR_API = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    private ContiguousFloats() {
    }

    /** Whether every array is float32, contiguous in C order (views included) and in host memory. */
    public static boolean all(INDArray... arrays) {
        if (!CPU_BACKEND) {
            return false;
        }
        for (INDArray a : arrays) {
            // ND4J may call a rank-1 view 'f'-ordered; with element-wise stride 1 it is contiguous all the same.
            if (a.dataType() != DataType.FLOAT || (a.ordering() != 'c' && a.rank() > 1) || a.elementWiseStride() != 1) {
                return false;
            }
        }
        return true;
    }

    /** The array's elements: ND4J's NIO view starts at the buffer, not at a view's offset. */
    public static FloatBuffer of(INDArray contiguous) {
        return contiguous.data().asNioFloat().slice((int) contiguous.offset(), (int) contiguous.length());
    }

    /**
     * The array's elements as native-order bytes (element i at byte 4 i), for kernels that load SIMD lanes straight
     * from the array's memory instead of copying it into Java arrays first.
     */
    public static ByteBuffer bytesOf(INDArray contiguous) {
        return contiguous.data().asNio().slice(Math.toIntExact(contiguous.offset() * Float.BYTES),
                Math.toIntExact(contiguous.length() * Float.BYTES)).order(ByteOrder.nativeOrder());
    }

    /**
     * to = from (both contiguous float32, same length), in 16 KB chunks across threads: a copy a layer must make (DL4J
     * wants every input gradient in the layer's own workspace) would otherwise be ND4J's assign on the calling thread.
     */
    public static void copy(INDArray from, INDArray to) {
        ByteBuffer src = bytesOf(from);
        ByteBuffer dst = bytesOf(to);
        int chunk = 16 * 1024;
        int bytes = src.capacity();
        indices((bytes + chunk - 1) / chunk).forEach(c -> {
            int at = c * chunk;
            dst.put(at, src, at, Math.min(chunk, bytes - at));
        });
    }

    /** 0..n-1, in parallel when ND4J itself may use more than one thread (not in a one-thread Spark task). */
    public static IntStream indices(long n) {
        IntStream all = IntStream.range(0, Math.toIntExact(n));
        return Nd4j.getEnvironment().maxThreads() > 1 ? all.parallel() : all;
    }
}
