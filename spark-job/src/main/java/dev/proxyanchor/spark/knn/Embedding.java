package dev.proxyanchor.spark.knn;

import java.io.Serializable;

/** One embedded image: its id (index in the evaluated set), its class label, and its embedding vector. */
public record Embedding(long id, int label, float[] vector) implements Serializable {
}
