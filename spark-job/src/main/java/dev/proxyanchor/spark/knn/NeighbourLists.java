package dev.proxyanchor.spark.knn;

/** Merging the partial neighbour lists one query gets from different gallery shards. */
public final class NeighbourLists {

    private NeighbourLists() {
    }

    /** The best {@code k} of two lists of the same query, each already in neighbour order. */
    public static NeighbourList merge(NeighbourList a, NeighbourList b, int k) {
        int n = Math.min(k, a.size() + b.size());
        long[] ids = new long[n];
        int[] labels = new int[n];
        float[] scores = new float[n];
        int i = 0;
        int j = 0;
        for (int out = 0; out < n; out++) {
            boolean takeA = j >= b.size() || (i < a.size() && precedes(a.scores()[i], a.ids()[i], b.scores()[j], b.ids()[j]));
            NeighbourList from = takeA ? a : b;
            int at = takeA ? i++ : j++;
            ids[out] = from.ids()[at];
            labels[out] = from.labels()[at];
            scores[out] = from.scores()[at];
        }
        return new NeighbourList(a.queryId(), a.queryLabel(), ids, labels, scores);
    }

    /** The neighbour order: higher score first, then smaller id. */
    public static boolean precedes(float scoreA, long idA, float scoreB, long idB) {
        int byScore = Float.compare(scoreB, scoreA);
        return byScore < 0 || (byScore == 0 && idA < idB);
    }
}
