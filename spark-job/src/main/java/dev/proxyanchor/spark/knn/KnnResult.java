package dev.proxyanchor.spark.knn;

import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.util.LongAccumulator;

/**
 * The neighbour lists of a {@link BlockKnn} pass, computed lazily (one Spark job per action on
 * {@link #neighbours()}). Closing releases the cached blocks.
 */
public final class KnnResult implements AutoCloseable {

    private final JavaRDD<NeighbourList> neighbours;
    private final int k;
    private final boolean selfRetrieval;
    private final LongAccumulator gemmNanos;
    private final List<JavaRDD<?>> cached;

    KnnResult(JavaRDD<NeighbourList> neighbours, int k, boolean selfRetrieval, LongAccumulator gemmNanos,
            List<JavaRDD<?>> cached) {
        this.neighbours = neighbours;
        this.k = k;
        this.selfRetrieval = selfRetrieval;
        this.gemmNanos = gemmNanos;
        this.cached = cached;
    }

    /** GEMM time summed over all tasks of the actions run so far (task time, not wall time). */
    public double gemmTaskSeconds() {
        return gemmNanos.value() / 1e9;
    }

    /** One list per query, in no particular order. */
    public JavaRDD<NeighbourList> neighbours() {
        return neighbours;
    }

    public int k() {
        return k;
    }

    public boolean selfRetrieval() {
        return selfRetrieval;
    }

    @Override
    public void close() {
        cached.forEach(rdd -> rdd.unpersist(false));
    }
}
