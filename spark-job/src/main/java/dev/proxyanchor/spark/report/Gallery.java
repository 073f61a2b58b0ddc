package dev.proxyanchor.spark.report;

import java.util.List;

/**
 * Retrieval examples: seeded queries, each with its nearest gallery items by cosine similarity.
 *
 * @param embeddings the Parquet file the examples come from
 */
record Gallery(String embeddings, List<Query> queries) {

    /** An image of the evaluated set, with its thumbnail as a {@code data:image/png} URI. */
    record Item(long id, String path, int label, String thumbnail) {
    }

    /** A neighbour, correct when its label is the query's. */
    record Neighbour(Item item, double similarity, boolean correct) {
    }

    record Query(Item item, List<Neighbour> neighbours) {
    }
}
