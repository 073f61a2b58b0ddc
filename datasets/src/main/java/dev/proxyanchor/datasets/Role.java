package dev.proxyanchor.datasets;

import java.util.Locale;

/** What a sample is used for: training, or one side of the evaluation. */
public enum Role {
    TRAIN,
    /** Self-retrieval evaluation: every image queries all others. */
    EVAL,
    /** Fashion-MNIST's optional second evaluation set: test images of the training classes. */
    EVAL_SEEN,
    QUERY,
    GALLERY;

    /** The name used in JSON and reports: {@code train}, {@code eval}, {@code eval_seen}, {@code query}, ... */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
