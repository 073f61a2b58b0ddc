package dev.proxyanchor.model.loss.miners;

/** Pairs (anchors[k], others[k]) of batch indices, as pytorch-metric-learning's {@code (a1, p)} or {@code (a2, n)}. */
public record IndexPairs(int[] anchors, int[] others) {

    public IndexPairs {
        if (anchors.length != others.length) {
            throw new IllegalArgumentException(anchors.length + " anchors for " + others.length + " pair partners");
        }
    }

    public int size() {
        return anchors.length;
    }
}
