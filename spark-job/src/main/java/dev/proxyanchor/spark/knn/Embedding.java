package dev.proxyanchor.spark.knn;

import java.io.Serializable;

/**
 * One labelled embedding as the kNN pass and the metrics see it. {@code id} identifies the item in results and
 * breaks score ties (smaller id first), so ids must be unique within a gallery.
 *
 * <p>A class with record-style accessors rather than a record: Spark's Kryo serialiser cannot write records.
 */
public final class Embedding implements Serializable {

    private static final long serialVersionUID = 1L;

    private final long id;
    private final int label;
    private final float[] vector;

    public Embedding(long id, int label, float[] vector) {
        this.id = id;
        this.label = label;
        this.vector = vector;
    }

    public long id() {
        return id;
    }

    public int label() {
        return label;
    }

    /** Not copied: do not modify. */
    public float[] vector() {
        return vector;
    }

    @Override
    public String toString() {
        return "Embedding[id=" + id + ", label=" + label + ", dim=" + vector.length + "]";
    }
}
