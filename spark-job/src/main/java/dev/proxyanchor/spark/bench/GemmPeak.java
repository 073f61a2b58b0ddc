package dev.proxyanchor.spark.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * This machine's single-precision GEMM rate through ND4J, measured on square matrices (best of a few runs) the way
 * the kNN pass uses the cores: as many independent single-threaded GEMMs running at once as there are task slots.
 * One multi-threaded GEMM is not the right yardstick: in local mode each task's OpenMP pool holds cores / slots
 * threads, so a lone GEMM cannot use the whole machine, and the kNN tasks never run one.
 */
public final class GemmPeak {

    private GemmPeak() {
    }

    /** Total GFLOP/s of {@code concurrent} simultaneous {@code size^3} sgemms, each on one BLAS thread. */
    public static double measure(int size, int concurrent, int repetitions) {
        int previous = Nd4j.factory().blas().getMaxThreads();
        Nd4j.factory().blas().setMaxThreads(1);
        CyclicBarrier start = new CyclicBarrier(concurrent);
        ExecutorService pool = Executors.newFixedThreadPool(concurrent);
        try {
            List<Future<Double>> runs = new ArrayList<>();
            for (int t = 0; t < concurrent; t++) {
                runs.add(pool.submit(() -> bestSeconds(size, repetitions, start)));
            }
            double total = 0;
            for (Future<Double> run : runs) {
                total += 2.0 * size * size * (double) size / run.get() / 1e9;
            }
            return total;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("GEMM peak measurement interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("GEMM peak measurement failed", e.getCause());
        } finally {
            pool.shutdownNow();
            Nd4j.factory().blas().setMaxThreads(previous);
        }
    }

    private static double bestSeconds(int size, int repetitions, CyclicBarrier start) throws Exception {
        try (INDArray a = Nd4j.rand(DataType.FLOAT, size, size);
                INDArray b = Nd4j.rand(DataType.FLOAT, size, size);
                INDArray c = Nd4j.create(DataType.FLOAT, size, size)) {
            Nd4j.gemm(a, b, c, false, true, 1.0, 0.0);
            double best = Double.MAX_VALUE;
            for (int i = 0; i < repetitions; i++) {
                start.await();
                long begin = System.nanoTime();
                Nd4j.gemm(a, b, c, false, true, 1.0, 0.0);
                best = Math.min(best, (System.nanoTime() - begin) / 1e9);
            }
            return best;
        }
    }
}
