package dev.proxyanchor.datasets;

import java.util.Locale;

/** Self-retrieval (every eval image queries all others) or queries against a separate gallery (In-shop). */
public enum EvalMode {
    SELF, QUERY_GALLERY;

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
