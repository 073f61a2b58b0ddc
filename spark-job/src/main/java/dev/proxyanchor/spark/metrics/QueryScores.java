package dev.proxyanchor.spark.metrics;

import java.io.Serializable;

/**
 * One query's contribution to the metrics, and the sum of many: hits per Recall@K cut-off, AP@R and R-Precision
 * (only for queries with R > 0), and the counts to average them.
 */
public record QueryScores(long[] hitsAtK, double averagePrecisionAtR, double rPrecision, long queriesWithMatch,
                          long queries) implements Serializable {

    public static QueryScores zero(int cutOffs) {
        return new QueryScores(new long[cutOffs], 0, 0, 0, 0);
    }

    public QueryScores plus(QueryScores other) {
        long[] hits = hitsAtK.clone();
        for (int i = 0; i < hits.length; i++) {
            hits[i] += other.hitsAtK[i];
        }
        return new QueryScores(hits, averagePrecisionAtR + other.averagePrecisionAtR, rPrecision + other.rPrecision,
                queriesWithMatch + other.queriesWithMatch, queries + other.queries);
    }
}
