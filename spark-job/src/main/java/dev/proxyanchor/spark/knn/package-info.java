/**
 * The exact k-nearest-neighbour pass behind every evaluation.
 *
 * <p>{@link dev.proxyanchor.spark.knn.BlockKnn} cuts queries and gallery into
 * {@link dev.proxyanchor.spark.knn.EmbeddingBlock}s; each Spark task runs
 * {@link dev.proxyanchor.spark.knn.BlockSearch}: one float32 GEMM per block pair, then a bounded top-K
 * ({@link dev.proxyanchor.spark.knn.TopK}) over the score block; lists from several gallery shards are merged by
 * {@link dev.proxyanchor.spark.knn.NeighbourLists}. {@link dev.proxyanchor.spark.knn.FlatSearch} runs the same
 * kernel in one JVM (the benchmark's baseline).
 *
 * <p>Why results do not depend on block sizes or partitions: BLAS rounds a dot product differently depending on
 * where it falls in the block, so GEMM scores only select candidates. The order is decided by
 * {@link dev.proxyanchor.spark.knn.ExactScores#score}, a function of the two vectors alone, with ties going to
 * the smaller gallery id. The GEMM error is bounded ({@link dev.proxyanchor.spark.knn.ExactScores#gemmErrorBound}:
 * for each query, from the dimension, its norm and the largest norm in the gallery shard, so the guarantee holds
 * for vectors of any length, normalised or not), so keeping every candidate within twice that bound of the running K-th score, and rescoring exactly the runs of
 * candidates whose GEMM scores are that close to each other, gives the same lists as a brute-force pass with the
 * exact score. Self retrieval skips the query's own row index, never "the first hit".
 */
package dev.proxyanchor.spark.knn;
