package dev.proxyanchor.model.loss.distances;

/**
 * How the pair losses compare two embeddings, as pytorch-metric-learning 0.9.89 computes it, each with its backward
 * pass ({@link Pairwise}). {@link #COSINE} and {@link #EUCLIDEAN} normalise their inputs first
 * ({@link UnitVectors}, the clamp form); {@link #DOT} does not.
 */
public enum Similarity {
    /** {@code unit(a_i) . unit(b_j)} ({@code CosineSimilarity}, {@code lmu.sim_mat}). */
    COSINE,
    /** {@code a_i . b_j}, unnormalised ({@code DotProductSimilarity}, NPair's logits). */
    DOT,
    /**
     * {@code sqrt(max(0, |a^_i|^2 + |b^_j|^2 - 2 a^_i . b^_j))} on unit vectors, by expansion as {@code lmu.dist_mat}
     * computes it: 0 with a zero gradient where the clamped value is exactly 0 (PML masks the square root), and the
     * diagonal of a batch against itself exactly 0.
     */
    EUCLIDEAN;

    /** The {@code a.count() x b.count()} matrix between two sets of rows. */
    public Pairwise between(Rows a, Rows b) {
        return new Pairwise(this, a, b, false);
    }

    /** The B x B matrix of a batch against itself (gradients of both sides summed in {@link Pairwise#backwardWithin}). */
    public Pairwise within(Rows x) {
        return new Pairwise(this, x, x, true);
    }
}
