package dev.proxyanchor.datasets;

import java.util.Locale;

/** What a sample is used for. */
public enum Role {
    TRAIN, EVAL, EVAL_SEEN, QUERY, GALLERY;

    /** The lower-case name used in JSON and Parquet ({@code train}, {@code eval_seen}, ...). */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
