package dev.proxyanchor.spark.knn;

import java.io.Serializable;

/** A query's nearest gallery items, best first: their ids, labels and cosine similarities. */
public record Neighbours(long queryId, int queryLabel, long[] ids, int[] labels, float[] scores)
        implements Serializable {
}
