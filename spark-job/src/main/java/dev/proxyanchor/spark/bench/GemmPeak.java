package dev.proxyanchor.spark.bench;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** This machine's single-precision GEMM rate through ND4J, measured on square matrices (best of a few runs). */
public final class GemmPeak {

    private GemmPeak() {
    }

    /** GFLOP/s of {@code size x size x size} sgemm with the given number of BLAS threads. */
    public static double measure(int size, int blasThreads, int repetitions) {
        int previous = Nd4j.factory().blas().getMaxThreads();
        Nd4j.factory().blas().setMaxThreads(blasThreads);
        try (INDArray a = Nd4j.rand(DataType.FLOAT, size, size);
                INDArray b = Nd4j.rand(DataType.FLOAT, size, size);
                INDArray c = Nd4j.create(DataType.FLOAT, size, size)) {
            Nd4j.gemm(a, b, c, false, true, 1.0, 0.0);
            double best = Double.MAX_VALUE;
            for (int i = 0; i < repetitions; i++) {
                long start = System.nanoTime();
                Nd4j.gemm(a, b, c, false, true, 1.0, 0.0);
                best = Math.min(best, (System.nanoTime() - start) / 1e9);
            }
            return 2.0 * size * size * (double) size / best / 1e9;
        } finally {
            Nd4j.factory().blas().setMaxThreads(previous);
        }
    }
}
