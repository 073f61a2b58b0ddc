package dev.proxyanchor.spark.knn;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * The distributed exact kNN: queries and gallery are cut into blocks, every (query block, gallery shard) pair is
 * one Spark task running {@link BlockSearch} (one GEMM per block pair plus a bounded top-K), and when the gallery
 * spans several shards the partial lists of a query are merged. No task ever holds more than a query block, a
 * gallery shard and their score block; results do not depend on block sizes or partition counts.
 *
 * <p>Inputs are used as given: normalise them first for cosine similarity (the evaluator does).
 */
public final class BlockKnn {

    private static final Logger LOG = LoggerFactory.getLogger(BlockKnn.class);

    private BlockKnn() {
    }

    /**
     * For each query its {@code options.k()} nearest gallery items. {@code galleryOrNull == null} is self
     * retrieval: every query searches the query set with itself excluded by row index. Close the result to
     * release the cached blocks.
     */
    public static KnnResult search(JavaSparkContext jsc, JavaRDD<Embedding> queries, JavaRDD<Embedding> galleryOrNull,
            KnnOptions options) {
        boolean selfRetrieval = galleryOrNull == null;
        int dim = queries.first().vector().length;
        List<JavaRDD<?>> cached = new ArrayList<>();

        JavaRDD<Tuple2<Embedding, Long>> indexedQueries = queries.zipWithIndex().rdd().toJavaRDD();
        if (selfRetrieval) {
            indexedQueries = cache(indexedQueries, cached);
        }
        JavaRDD<Tuple2<Embedding, Long>> indexedGallery =
                selfRetrieval ? indexedQueries : galleryOrNull.zipWithIndex().rdd().toJavaRDD();

        int queryBlockRows = options.queryBlockRows();
        JavaRDD<EmbeddingBlock> queryBlocks = indexedQueries.mapPartitions(
                rows -> Blocks.cut(rows, dim, queryBlockRows).iterator());
        int queryPartitions = options.queryPartitions() > 0
                ? options.queryPartitions() : 2 * Math.max(1, jsc.defaultParallelism());
        queryBlocks = cache(queryBlocks.repartition(queryPartitions), cached);

        int galleryBlockRows = options.galleryBlockRows();
        JavaRDD<EmbeddingBlock> galleryBlocks = indexedGallery.mapPartitions(
                rows -> Blocks.cut(rows, dim, galleryBlockRows).iterator());
        long galleryRows = selfRetrieval ? indexedQueries.count() : galleryOrNull.count();
        int shards = (int) Math.max(1, (galleryRows + options.galleryShardRows() - 1) / options.galleryShardRows());
        JavaRDD<List<EmbeddingBlock>> galleryShards = cache(
                galleryBlocks.coalesce(shards, galleryBlocks.getNumPartitions() < shards).glom(), cached);
        // Built once here: every query partition's task reads every shard, and tasks that start together would each
        // build the same shard (Spark then logs "Block ... already exists" and drops all but one copy).
        galleryShards.count();
        LOG.info("exact kNN: k={}, dim={}, {} query partitions x {} gallery shard(s) of {} gallery rows, "
                        + "blocks {} x {} rows", options.k(), dim, queryPartitions, shards, galleryRows,
                queryBlockRows, galleryBlockRows);

        int k = options.k();
        int blasThreads = options.blasThreadsPerTask();
        boolean mergedByScore = shards > 1;
        LongAccumulator gemmNanos = jsc.sc().longAccumulator("kNN GEMM nanoseconds");
        LongAccumulator searched = jsc.sc().longAccumulator("kNN block searches");
        long queryBlockCount = queryBlocks.count();
        JavaPairRDD<Long, List<NeighbourList>> partial = queryBlocks.cartesian(galleryShards).mapToPair(pair -> {
            BlasThreads.set(blasThreads);
            try (BlockSearch search = new BlockSearch(dim, k)) {
                List<NeighbourList> lists = search.search(pair._1(), pair._2(), selfRetrieval, mergedByScore);
                gemmNanos.add(search.gemmNanos());
                searched.add(1);
                return new Tuple2<>(pair._1().firstIndex(), lists);
            }
        });
        JavaRDD<List<NeighbourList>> perQueryBlock = shards == 1
                ? partial.values()
                : partial.reduceByKey((a, b) -> mergeAll(a, b, k)).values();
        return new KnnResult(perQueryBlock.flatMap(List::iterator), k, selfRetrieval, gemmNanos,
                new KnnResult.Searches(searched, queryBlockCount, shards), cached);
    }

    private static List<NeighbourList> mergeAll(List<NeighbourList> a, List<NeighbourList> b, int k) {
        List<NeighbourList> merged = new ArrayList<>(a.size());
        for (int q = 0; q < a.size(); q++) {
            merged.add(NeighbourLists.merge(a.get(q), b.get(q), k));
        }
        return merged;
    }

    private static <T> JavaRDD<T> cache(JavaRDD<T> rdd, List<JavaRDD<?>> cached) {
        rdd.persist(StorageLevel.MEMORY_AND_DISK());
        cached.add(rdd);
        return rdd;
    }
}
