package dev.proxyanchor.spark.data;

import java.util.List;

/**
 * A decoded minibatch: the images' network input in NCHW order, which of the requested images it holds, and the
 * ones that were skipped as unreadable ({@code --skip-bad-images}).
 *
 * @param features one image after another, {@code kept.length} of them
 * @param kept     the indices, in the request, of the images in {@code features}
 * @param bad      the unreadable images skipped, with the reason of each
 */
public record DecodedBatch(float[] features, int[] kept, List<BadImage> bad) {

    /** An image left out of a batch, and why. */
    public record BadImage(String uri, String reason) implements java.io.Serializable {
    }
}
