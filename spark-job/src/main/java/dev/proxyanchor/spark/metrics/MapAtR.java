package dev.proxyanchor.spark.metrics;

import dev.proxyanchor.spark.knn.NeighbourList;

/**
 * MAP@R and R-Precision (Musgrave, Belongie, Lim, "A Metric Learning Reality Check", ECCV 2020). R is the number
 * of other gallery items of the query's class; a query with R = 0 has neither and is left out by the caller.
 */
public final class MapAtR {

    private MapAtR() {
    }

    /**
     * (1/R) * sum over the first R neighbours of precision@i at each relevant rank i. The list must hold at least
     * R neighbours.
     */
    public static double averagePrecisionAtR(NeighbourList list, int r) {
        requireListCovers(list, r);
        int relevant = 0;
        double sum = 0;
        for (int i = 0; i < r; i++) {
            if (list.labels()[i] == list.queryLabel()) {
                relevant++;
                sum += (double) relevant / (i + 1);
            }
        }
        return sum / r;
    }

    /** The share of the first R neighbours that are relevant. */
    public static double rPrecision(NeighbourList list, int r) {
        requireListCovers(list, r);
        int relevant = 0;
        for (int i = 0; i < r; i++) {
            if (list.labels()[i] == list.queryLabel()) {
                relevant++;
            }
        }
        return (double) relevant / r;
    }

    private static void requireListCovers(NeighbourList list, int r) {
        if (r < 1 || list.size() < r) {
            throw new IllegalArgumentException("MAP@R of query " + list.queryId() + " needs R >= 1 and at least R "
                    + "neighbours, got R = " + r + " and " + list.size() + " neighbours");
        }
    }
}
