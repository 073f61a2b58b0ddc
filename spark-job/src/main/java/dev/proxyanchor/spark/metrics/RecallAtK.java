package dev.proxyanchor.spark.metrics;

import dev.proxyanchor.spark.knn.NeighbourList;

/**
 * Recall@K as the Proxy-Anchor paper and code define it: the share of queries with at least one item of their
 * own class among their K nearest neighbours (every query counts, also one whose class has no other item).
 */
public final class RecallAtK {

    /** Rank given to a query none of whose listed neighbours shares its label. */
    public static final int NO_MATCH = Integer.MAX_VALUE;

    private RecallAtK() {
    }

    /** The 1-based rank of the first neighbour with the query's label, or {@link #NO_MATCH}. */
    public static int firstMatchRank(NeighbourList list) {
        int[] labels = list.labels();
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] == list.queryLabel()) {
                return i + 1;
            }
        }
        return NO_MATCH;
    }

    /** Whether a query whose first match is at {@code firstMatchRank} counts as a hit at {@code k}. */
    public static boolean hit(int firstMatchRank, int k) {
        return firstMatchRank <= k;
    }
}
