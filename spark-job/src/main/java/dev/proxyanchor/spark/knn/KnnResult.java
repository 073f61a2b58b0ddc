package dev.proxyanchor.spark.knn;

import java.util.List;
import org.apache.spark.api.java.JavaRDD;

/**
 * The neighbour lists of a {@link BlockKnn} pass, computed lazily (one Spark job per action on
 * {@link #neighbours()}). Closing releases the cached blocks.
 */
public final class KnnResult implements AutoCloseable {

    private final JavaRDD<NeighbourList> neighbours;
    private final int k;
    private final boolean selfRetrieval;
    private final List<JavaRDD<?>> cached;

    KnnResult(JavaRDD<NeighbourList> neighbours, int k, boolean selfRetrieval, List<JavaRDD<?>> cached) {
        this.neighbours = neighbours;
        this.k = k;
        this.selfRetrieval = selfRetrieval;
        this.cached = cached;
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
