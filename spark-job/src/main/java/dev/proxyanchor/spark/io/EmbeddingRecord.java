package dev.proxyanchor.spark.io;

import dev.proxyanchor.spark.knn.Embedding;
import java.io.Serializable;

/**
 * One row of a stored embedding file, as {@code embed} writes it: {@code id}, the image {@code path} (null when
 * the source has none), {@code label}, {@code role} ({@code query}, {@code gallery}, {@code eval}, ...; null when
 * the source has none) and the {@code embedding}.
 *
 * <p>A class with record-style accessors rather than a record: Spark's Kryo serialiser cannot write records.
 */
public final class EmbeddingRecord implements Serializable {

    private static final long serialVersionUID = 1L;

    private final long id;
    private final String path;
    private final int label;
    private final String role;
    private final float[] embedding;

    public EmbeddingRecord(long id, String path, int label, String role, float[] embedding) {
        this.id = id;
        this.path = path;
        this.label = label;
        this.role = role;
        this.embedding = embedding;
    }

    public long id() {
        return id;
    }

    public String path() {
        return path;
    }

    public int label() {
        return label;
    }

    public String role() {
        return role;
    }

    public float[] embedding() {
        return embedding;
    }

    public Embedding toEmbedding() {
        return new Embedding(id, label, embedding);
    }
}
