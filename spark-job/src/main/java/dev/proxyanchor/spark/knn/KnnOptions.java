package dev.proxyanchor.spark.knn;

import java.io.Serializable;

/**
 * How the exact kNN pass cuts its work. Only {@code k} changes results; the rest trades memory for speed.
 * Build with {@code KnnOptions.builder(k)...build()}.
 */
public final class KnnOptions implements Serializable {

    private static final long serialVersionUID = 1L;

    private final int k;
    private final int queryBlockRows;
    private final int galleryBlockRows;
    private final int galleryShardRows;
    private final int queryPartitions;
    private final int blasThreadsPerTask;

    private KnnOptions(Builder b) {
        this.k = b.k;
        this.queryBlockRows = b.queryBlockRows;
        this.galleryBlockRows = b.galleryBlockRows;
        this.galleryShardRows = b.galleryShardRows;
        this.queryPartitions = b.queryPartitions;
        this.blasThreadsPerTask = b.blasThreadsPerTask;
    }

    public static Builder builder(int k) {
        return new Builder(k);
    }

    /** The same layout for another K. */
    public KnnOptions withK(int newK) {
        return new Builder(newK).queryBlockRows(queryBlockRows).galleryBlockRows(galleryBlockRows)
                .galleryShardRows(galleryShardRows).queryPartitions(queryPartitions)
                .blasThreadsPerTask(blasThreadsPerTask).build();
    }

    public int k() {
        return k;
    }

    /** Rows of a query block: one side of every GEMM. */
    public int queryBlockRows() {
        return queryBlockRows;
    }

    /** Rows of a gallery block: the other side of every GEMM. */
    public int galleryBlockRows() {
        return galleryBlockRows;
    }

    /** Gallery rows one task searches; a larger gallery is cut into shards whose partial lists are merged. */
    public int galleryShardRows() {
        return galleryShardRows;
    }

    /** Partitions of the query blocks; 0 picks twice Spark's default parallelism. */
    public int queryPartitions() {
        return queryPartitions;
    }

    /** BLAS threads each task's GEMM uses; 0 leaves the BLAS setting alone. */
    public int blasThreadsPerTask() {
        return blasThreadsPerTask;
    }

    public static final class Builder {
        private final int k;
        private int queryBlockRows = 1024;
        private int galleryBlockRows = 4096;
        private int galleryShardRows = 1 << 17;
        private int queryPartitions;
        // Concurrent tasks each running a multi-threaded GEMM oversubscribe the cores.
        private int blasThreadsPerTask = 1;

        private Builder(int k) {
            this.k = k;
        }

        public Builder queryBlockRows(int rows) {
            this.queryBlockRows = rows;
            return this;
        }

        public Builder galleryBlockRows(int rows) {
            this.galleryBlockRows = rows;
            return this;
        }

        public Builder galleryShardRows(int rows) {
            this.galleryShardRows = rows;
            return this;
        }

        public Builder queryPartitions(int partitions) {
            this.queryPartitions = partitions;
            return this;
        }

        public Builder blasThreadsPerTask(int threads) {
            this.blasThreadsPerTask = threads;
            return this;
        }

        public KnnOptions build() {
            requireAtLeast("k", k, 1);
            requireAtLeast("queryBlockRows", queryBlockRows, 1);
            requireAtLeast("galleryBlockRows", galleryBlockRows, 1);
            requireAtLeast("galleryShardRows", galleryShardRows, galleryBlockRows);
            requireAtLeast("queryPartitions", queryPartitions, 0);
            requireAtLeast("blasThreadsPerTask", blasThreadsPerTask, 0);
            if ((long) queryBlockRows * galleryBlockRows > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("queryBlockRows * galleryBlockRows must fit a Java array, got "
                        + queryBlockRows + " * " + galleryBlockRows);
            }
            return new KnnOptions(this);
        }

        private static void requireAtLeast(String name, int value, int min) {
            if (value < min) {
                throw new IllegalArgumentException(name + " must be at least " + min + ", got " + value);
            }
        }
    }
}
