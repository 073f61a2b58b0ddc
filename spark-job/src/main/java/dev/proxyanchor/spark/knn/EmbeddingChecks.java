package dev.proxyanchor.spark.knn;

import dev.proxyanchor.model.UserInputException;

/** The checks every embedding passes before the kNN pass, and its L2 normalisation. */
public final class EmbeddingChecks {

    private EmbeddingChecks() {
    }

    /**
     * The embedding itself, or its unit-length copy with {@code normalize}. {@code set} names where it comes
     * from ("query", "gallery") for the message.
     *
     * @throws UserInputException for a missing, NaN or infinite value, or a zero vector to normalise
     */
    public static Embedding checked(Embedding e, String set, boolean normalize) {
        float[] v = e.vector();
        if (v == null || v.length == 0) {
            throw new UserInputException(set + " embedding id " + e.id() + " has no values");
        }
        double squaredNorm = 0;
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) {
                throw new UserInputException(set + " embedding id " + e.id() + " has the value " + v[i]
                        + " at position " + i + "; embeddings must be finite (a diverged model gives NaN)");
            }
            squaredNorm += (double) v[i] * v[i];
        }
        if (!normalize) {
            return e;
        }
        if (squaredNorm == 0) {
            throw new UserInputException(set + " embedding id " + e.id() + " is a zero vector and cannot be "
                    + "L2-normalised; remove it or evaluate without normalisation");
        }
        double norm = Math.sqrt(squaredNorm);
        float[] unit = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            unit[i] = (float) (v[i] / norm);
        }
        return new Embedding(e.id(), e.label(), unit);
    }

    /** @throws UserInputException unless {@code e} has {@code dim} values, the dimension of the set's first one */
    public static void requireDimension(Embedding e, String set, int dim) {
        if (e.vector().length != dim) {
            throw new UserInputException(set + " embedding id " + e.id() + " has " + e.vector().length
                    + " values, expected " + dim + " (the dimension of the first " + set + " embedding)");
        }
    }
}
