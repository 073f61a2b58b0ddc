package dev.proxyanchor.datasets;

import java.util.Locale;

/** What a sample is used for: training, or one side of the evaluation. */
public enum Role {
    TRAIN,
    /**
     * Training images of the classes a run holds out of training ({@code train --val-classes}), evaluated all
     * against all: a validation set whose classes are disjoint from the trained ones and from the test classes.
     */
    VAL,
    /** Self-retrieval evaluation: every image queries all others. */
    EVAL,
    /** Fashion-MNIST's optional second evaluation set: test images of the training classes. */
    EVAL_SEEN,
    QUERY,
    GALLERY;

    /** The name used in JSON and reports: {@code train}, {@code val}, {@code eval}, {@code eval_seen}, ... */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
