package dev.proxyanchor.spark.knn;

import java.io.Serializable;

/** A slice of the gallery as one contiguous row-major rows x dim matrix, with the ids and labels of its rows. */
public record GalleryBlock(long[] ids, int[] labels, float[] vectors, int dim) implements Serializable {

    int rows() {
        return ids.length;
    }
}
