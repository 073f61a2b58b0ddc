package dev.proxyanchor.spark.knn;

import java.io.Serializable;

/**
 * The nearest gallery items of one query, best first: higher {@link ExactScores#score exact score} first, equal
 * scores by smaller gallery id. A reported score is the exact one or, where no near-tie made rescoring necessary,
 * the float32 GEMM value, within {@link ExactScores#gemmErrorBound} of it.
 *
 * <p>A class with record-style accessors rather than a record: Spark's Kryo serialiser cannot write records.
 */
public final class NeighbourList implements Serializable {

    private static final long serialVersionUID = 1L;

    private final long queryId;
    private final int queryLabel;
    private final long[] ids;
    private final int[] labels;
    private final float[] scores;

    public NeighbourList(long queryId, int queryLabel, long[] ids, int[] labels, float[] scores) {
        this.queryId = queryId;
        this.queryLabel = queryLabel;
        this.ids = ids;
        this.labels = labels;
        this.scores = scores;
    }

    public long queryId() {
        return queryId;
    }

    public int queryLabel() {
        return queryLabel;
    }

    public long[] ids() {
        return ids;
    }

    public int[] labels() {
        return labels;
    }

    public float[] scores() {
        return scores;
    }

    public int size() {
        return ids.length;
    }
}
