package dev.proxyanchor.spark.knn;

import java.io.Serializable;
import java.util.List;

/**
 * A run of embeddings with consecutive row indices, stored as one contiguous C-order float32 matrix so that a
 * block pair is a single GEMM. {@code firstIndex} is the row index of the first embedding in the whole set; self
 * retrieval excludes a query's own row by comparing these indices.
 */
public final class EmbeddingBlock implements Serializable {

    private static final long serialVersionUID = 1L;

    private final long firstIndex;
    private final int dim;
    private final long[] ids;
    private final int[] labels;
    private final float[] vectors;

    public EmbeddingBlock(long firstIndex, int dim, long[] ids, int[] labels, float[] vectors) {
        if (vectors.length != (long) ids.length * dim || labels.length != ids.length) {
            throw new IllegalArgumentException("block of " + ids.length + " rows needs " + ids.length + " labels and "
                    + (long) ids.length * dim + " values, got " + labels.length + " and " + vectors.length);
        }
        this.firstIndex = firstIndex;
        this.dim = dim;
        this.ids = ids;
        this.labels = labels;
        this.vectors = vectors;
    }

    /** Packs embeddings whose row indices are {@code firstIndex, firstIndex + 1, ...}. */
    public static EmbeddingBlock of(long firstIndex, int dim, List<Embedding> rows) {
        long[] ids = new long[rows.size()];
        int[] labels = new int[rows.size()];
        float[] vectors = new float[rows.size() * dim];
        for (int r = 0; r < rows.size(); r++) {
            Embedding e = rows.get(r);
            ids[r] = e.id();
            labels[r] = e.label();
            System.arraycopy(e.vector(), 0, vectors, r * dim, dim);
        }
        return new EmbeddingBlock(firstIndex, dim, ids, labels, vectors);
    }

    public long firstIndex() {
        return firstIndex;
    }

    public int dim() {
        return dim;
    }

    public int rows() {
        return ids.length;
    }

    public long id(int row) {
        return ids[row];
    }

    public int label(int row) {
        return labels[row];
    }

    /** The backing row-major matrix; row {@code r} starts at {@code r * dim()}. Not copied: do not modify. */
    public float[] vectors() {
        return vectors;
    }
}
