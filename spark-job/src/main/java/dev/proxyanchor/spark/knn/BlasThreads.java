package dev.proxyanchor.spark.knn;

import org.nd4j.linalg.factory.Nd4j;

/** The number of threads ND4J's BLAS uses in this JVM (a process-wide setting of OpenBLAS/MKL). */
final class BlasThreads {

    private BlasThreads() {
    }

    /** Sets it when {@code threads > 0} and it differs; 0 leaves it alone. */
    static void set(int threads) {
        if (threads > 0 && Nd4j.factory().blas().getMaxThreads() != threads) {
            Nd4j.factory().blas().setMaxThreads(threads);
        }
    }
}
