package dev.proxyanchor.model.loss.miners;

/** Triplets (anchors[k], positives[k], negatives[k]) of batch indices. */
public record IndexTriplets(int[] anchors, int[] positives, int[] negatives) {

    public IndexTriplets {
        if (anchors.length != positives.length || anchors.length != negatives.length) {
            throw new IllegalArgumentException("triplet lists of lengths " + anchors.length + ", " + positives.length
                    + ", " + negatives.length);
        }
    }

    public int size() {
        return anchors.length;
    }
}
