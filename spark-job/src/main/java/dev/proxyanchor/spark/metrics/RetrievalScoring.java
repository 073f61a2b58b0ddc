package dev.proxyanchor.spark.metrics;

/**
 * Scores one query's ranked neighbour labels (best first):
 * <ul>
 *   <li>Recall@K: 1 when a neighbour among the first K has the query's label (the official code's definition);</li>
 *   <li>MAP@R and R-Precision (Musgrave et al., "A Metric Learning Reality Check", 2020): R is the number of other
 *       gallery items of the query's class; AP@R = 1/R sum_{i<=R} P@i * rel(i), R-Precision = relevant in top R / R.
 *       A query with R = 0 takes no part in them and is counted as without match.</li>
 * </ul>
 */
public final class RetrievalScoring {

    private RetrievalScoring() {
    }

    /**
     * @param neighbourLabels labels of the ranked neighbours; at least min(R, gallery) and max(K) of them when available
     * @param r               the number of relevant gallery items for this query
     */
    public static QueryScores score(int queryLabel, int[] neighbourLabels, int[] recallK, int r) {
        long[] hits = new long[recallK.length];
        int firstHit = -1;
        for (int i = 0; i < neighbourLabels.length; i++) {
            if (neighbourLabels[i] == queryLabel) {
                firstHit = i;
                break;
            }
        }
        for (int j = 0; j < recallK.length; j++) {
            hits[j] = firstHit >= 0 && firstHit < recallK[j] ? 1 : 0;
        }
        if (r <= 0) {
            return new QueryScores(hits, 0, 0, 0, 1);
        }
        int relevant = 0;
        double precisionSum = 0;
        int depth = Math.min(r, neighbourLabels.length);
        for (int i = 0; i < depth; i++) {
            if (neighbourLabels[i] == queryLabel) {
                relevant++;
                precisionSum += relevant / (double) (i + 1);
            }
        }
        return new QueryScores(hits, precisionSum / r, relevant / (double) r, 1, 1);
    }
}
