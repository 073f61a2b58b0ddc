package dev.proxyanchor.spark.bench;

import java.util.SplittableRandom;

/**
 * Seeded synthetic embeddings shaped like a retrieval eval set: unit vectors scattered around class centres, a
 * few items per class (SOP averages 5.3 images per class). Row {@code r} has id {@code r}.
 */
public final class ClusteredData {

    private final int rows;
    private final int dim;
    private final int[] labels;
    private final float[] vectors;

    private ClusteredData(int rows, int dim, int[] labels, float[] vectors) {
        this.rows = rows;
        this.dim = dim;
        this.labels = labels;
        this.vectors = vectors;
    }

    public static ClusteredData generate(int rows, int dim, int itemsPerClass, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int classes = Math.max(1, rows / itemsPerClass);
        float[] centres = new float[classes * dim];
        for (int i = 0; i < centres.length; i++) {
            centres[i] = (float) random.nextGaussian();
        }
        int[] labels = new int[rows];
        float[] vectors = new float[rows * dim];
        for (int r = 0; r < rows; r++) {
            int label = r % classes;
            labels[r] = label;
            double squaredNorm = 0;
            for (int i = 0; i < dim; i++) {
                float v = centres[label * dim + i] + (float) random.nextGaussian();
                vectors[r * dim + i] = v;
                squaredNorm += (double) v * v;
            }
            double norm = Math.sqrt(squaredNorm);
            for (int i = 0; i < dim; i++) {
                vectors[r * dim + i] = (float) (vectors[r * dim + i] / norm);
            }
        }
        return new ClusteredData(rows, dim, labels, vectors);
    }

    public int rows() {
        return rows;
    }

    public int dim() {
        return dim;
    }

    public int[] labels() {
        return labels;
    }

    /** Row-major, {@code rows x dim}. */
    public float[] vectors() {
        return vectors;
    }

    public long[] ids() {
        long[] ids = new long[rows];
        for (int r = 0; r < rows; r++) {
            ids[r] = r;
        }
        return ids;
    }
}
