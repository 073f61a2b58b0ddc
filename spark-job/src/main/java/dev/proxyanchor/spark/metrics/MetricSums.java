package dev.proxyanchor.spark.metrics;

import dev.proxyanchor.spark.knn.NeighbourList;
import java.io.Serializable;

/** Per-query metric contributions summed over a partition and then over all partitions (Spark aggregate). */
final class MetricSums implements Serializable {

    private static final long serialVersionUID = 1L;

    final long[] hitsAtK;
    long queries;
    long queriesWithMatch;
    double averagePrecisionAtRSum;
    double rPrecisionSum;

    MetricSums(int recallKs) {
        this.hitsAtK = new long[recallKs];
    }

    /** Adds one query, whose class has {@code r} other items in the gallery; {@code recallK} as used. */
    MetricSums add(NeighbourList list, int r, int[] recallK) {
        queries++;
        int firstMatch = RecallAtK.firstMatchRank(list);
        for (int i = 0; i < recallK.length; i++) {
            if (RecallAtK.hit(firstMatch, recallK[i])) {
                hitsAtK[i]++;
            }
        }
        if (r > 0) {
            queriesWithMatch++;
            averagePrecisionAtRSum += MapAtR.averagePrecisionAtR(list, r);
            rPrecisionSum += MapAtR.rPrecision(list, r);
        }
        return this;
    }

    MetricSums merge(MetricSums other) {
        for (int i = 0; i < hitsAtK.length; i++) {
            hitsAtK[i] += other.hitsAtK[i];
        }
        queries += other.queries;
        queriesWithMatch += other.queriesWithMatch;
        averagePrecisionAtRSum += other.averagePrecisionAtRSum;
        rPrecisionSum += other.rPrecisionSum;
        return this;
    }
}
