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
    private final Searches searches;
    private final List<JavaRDD<?>> cached;

    /**
     * How far the pass is: each query block is searched against every gallery shard.
     *
     * @param done        (query block, gallery shard) searches finished, counted on the executors
     * @param queryBlocks query blocks of the pass
     * @param shards      gallery shards each query block is searched against
     */
    public record Searches(LongAccumulator done, long queryBlocks, long shards) {
    }

    KnnResult(JavaRDD<NeighbourList> neighbours, int k, boolean selfRetrieval, LongAccumulator gemmNanos,
            Searches searches, List<JavaRDD<?>> cached) {
        this.neighbours = neighbours;
        this.k = k;
        this.selfRetrieval = selfRetrieval;
        this.gemmNanos = gemmNanos;
        this.searches = searches;
        this.cached = cached;
    }

    /** For progress lines while an action on {@link #neighbours()} runs. */
    public Searches searches() {
        return searches;
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
