package dev.proxyanchor.datasets;

import java.util.Locale;

/** How Recall@K is computed for a dataset. */
public enum EvalMode {
    /** Every evaluation image queries all the others (CUB, Cars, SOP, Fashion-MNIST). */
    SELF,
    /** Query images are searched against a separate gallery (In-shop). */
    QUERY_GALLERY;

    /** The name used in JSON and reports: {@code self} or {@code query_gallery}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
