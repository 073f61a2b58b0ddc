package dev.proxyanchor.spark.metrics;

import dev.proxyanchor.model.UsageException;
import dev.proxyanchor.model.UserInputException;
import dev.proxyanchor.spark.knn.BlockKnn;
import dev.proxyanchor.spark.knn.Embedding;
import dev.proxyanchor.spark.knn.EmbeddingChecks;
import dev.proxyanchor.spark.knn.KnnResult;
import dev.proxyanchor.spark.progress.JobProgress;
import dev.proxyanchor.spark.runtime.TaskErrors;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * The one call that turns embeddings into retrieval metrics: checks and normalises them, runs the exact
 * {@link BlockKnn} pass with the K the metrics need (the largest Recall K, or the largest class when MAP@R needs
 * more), and reduces the neighbour lists to Recall@K, MAP@R, R-Precision and optionally NMI on the executors.
 * The training job calls it after every epoch; {@code evaluate} calls it on stored embeddings.
 */
public final class RetrievalEvaluator {

    private static final Logger LOG = LoggerFactory.getLogger(RetrievalEvaluator.class);

    private RetrievalEvaluator() {
    }

    /**
     * @param galleryOrNull null for self retrieval (every query searches all other queries, itself excluded)
     * @param recallK the K of Recall@K, e.g. {1, 2, 4, 8, 16, 32}
     * @throws UserInputException for empty sets, mismatched dimensions, non-finite or zero vectors, duplicate
     *     gallery ids
     */
    public static RetrievalMetrics evaluate(JavaSparkContext jsc, JavaRDD<Embedding> queries,
            JavaRDD<Embedding> galleryOrNull, int[] recallK, EvaluationOptions options) {
        long start = System.nanoTime();
        int[] askedK = requireValidK(recallK);
        boolean selfRetrieval = galleryOrNull == null;
        JavaRDD<Embedding> checkedQueries = prepare(queries, "query", options.normalize());
        JavaRDD<Embedding> checkedGallery = null;
        try {
            int dim = oneDimension(checkedQueries, "query");
            if (!selfRetrieval) {
                checkedGallery = prepare(galleryOrNull, "gallery", options.normalize());
                int galleryDim = oneDimension(checkedGallery, "gallery");
                if (galleryDim != dim) {
                    throw new UserInputException("gallery embeddings have " + galleryDim + " values but query "
                            + "embeddings have " + dim + "; both must come from the same model");
                }
            }
            JavaRDD<Embedding> gallery = selfRetrieval ? checkedQueries : checkedGallery;
            Map<Integer, Long> galleryLabelCounts = new HashMap<>(gallery.map(Embedding::label).countByValue());
            long gallerySize = galleryLabelCounts.values().stream().mapToLong(Long::longValue).sum();
            Map<Integer, Long> queryLabelCounts = selfRetrieval
                    ? galleryLabelCounts : new HashMap<>(checkedQueries.map(Embedding::label).countByValue());
            long querySize = queryLabelCounts.values().stream().mapToLong(Long::longValue).sum();
            requireUniqueIds(gallery, selfRetrieval ? "query" : "gallery");

            int ownItem = selfRetrieval ? 1 : 0;
            long searchable = gallerySize - ownItem;
            if (searchable < 1) {
                throw new UserInputException("self retrieval needs at least 2 embeddings, got " + gallerySize);
            }
            Map<Integer, Integer> clamped = new LinkedHashMap<>();
            int[] usedK = new int[askedK.length];
            for (int i = 0; i < askedK.length; i++) {
                usedK[i] = (int) Math.min(askedK[i], searchable);
                if (usedK[i] != askedK[i]) {
                    clamped.put(askedK[i], usedK[i]);
                }
            }
            if (!clamped.isEmpty()) {
                LOG.warn("Recall@K for K {} uses the whole searchable gallery of {} items: K cannot exceed it",
                        clamped.keySet(), searchable);
            }
            long maxR = queryLabelCounts.keySet().stream()
                    .mapToLong(label -> galleryLabelCounts.getOrDefault(label, 0L) - ownItem).max().orElse(0);
            int kNeeded = (int) Math.min(searchable, Math.max(Arrays.stream(usedK).max().orElseThrow(), maxR));
            LOG.info("evaluating {} queries against {} gallery items ({}), dim {}, k {} (largest class R {})",
                    querySize, gallerySize, selfRetrieval ? "self" : "query-gallery", dim, kNeeded, maxR);

            MetricSums sums = neighbourMetrics(jsc, checkedQueries, selfRetrieval ? null : checkedGallery,
                    options, kNeeded, usedK, galleryLabelCounts, ownItem);

            Map<Integer, Double> recall = new LinkedHashMap<>();
            for (int i = 0; i < askedK.length; i++) {
                recall.put(askedK[i], (double) sums.hitsAtK[i] / sums.queries);
            }
            long withMatch = sums.queriesWithMatch;
            Double nmi = options.nmi() ? nmi(checkedQueries, checkedGallery, queryLabelCounts, galleryLabelCounts,
                    options.kMeansSeed()) : null;
            double seconds = (System.nanoTime() - start) / 1e9;
            return new RetrievalMetrics(querySize, gallerySize, dim, selfRetrieval, recall,
                    withMatch == 0 ? 0 : sums.averagePrecisionAtRSum / withMatch,
                    withMatch == 0 ? 0 : sums.rPrecisionSum / withMatch, nmi, querySize - withMatch, clamped,
                    seconds);
        } finally {
            checkedQueries.unpersist(false);
            if (checkedGallery != null) {
                checkedGallery.unpersist(false);
            }
        }
    }

    private static MetricSums neighbourMetrics(JavaSparkContext jsc, JavaRDD<Embedding> queries,
            JavaRDD<Embedding> galleryOrNull, EvaluationOptions options, int k, int[] usedK,
            Map<Integer, Long> galleryLabelCounts, int ownItem) {
        Broadcast<Map<Integer, Long>> counts = jsc.broadcast(galleryLabelCounts);
        try (KnnResult knn = BlockKnn.search(jsc, queries, galleryOrNull, options.knnLayout().withK(k));
             JobProgress progress = progress(jsc, knn.searches())) {
            return knn.neighbours().aggregate(new MetricSums(usedK.length),
                    (sums, list) -> sums.add(list,
                            (int) (counts.value().getOrDefault(list.queryLabel(), 0L) - ownItem), usedK),
                    MetricSums::merge);
        } finally {
            counts.destroy();
        }
    }

    private static JobProgress progress(JavaSparkContext jsc, KnnResult.Searches searches) {
        String unit = searches.shards() == 1 ? "query blocks" : "searches (query block x gallery shard)";
        return JobProgress.ofAccumulator(jsc.sc(), "kNN", unit, searches.queryBlocks() * searches.shards(),
                searches.done());
    }

    private static double nmi(JavaRDD<Embedding> queries, JavaRDD<Embedding> galleryOrNull,
            Map<Integer, Long> queryLabels, Map<Integer, Long> galleryLabels, long seed) {
        Set<Integer> classes = new HashSet<>(queryLabels.keySet());
        classes.addAll(galleryLabels.keySet());
        JavaRDD<Embedding> all = galleryOrNull == null ? queries : queries.union(galleryOrNull);
        return Nmi.ofKMeans(all, classes.size(), seed);
    }

    private static int[] requireValidK(int[] recallK) {
        if (recallK == null || recallK.length == 0) {
            throw new UsageException("no K given for Recall@K; pass e.g. --k 1,2,4,8");
        }
        int[] distinct = Arrays.stream(recallK).distinct().toArray();
        for (int k : distinct) {
            if (k < 1) {
                throw new UsageException("Recall@K needs K >= 1, got " + k);
            }
        }
        return distinct;
    }

    /** The dimension every embedding of the (checked, kept) set has; a set of several is refused. */
    private static int oneDimension(JavaRDD<Embedding> set, String name) {
        List<Embedding> first = set.take(1);
        if (first.isEmpty()) {
            throw new UserInputException("the " + name + " set is empty: there is nothing to evaluate");
        }
        int dim = first.get(0).vector().length;
        set.filter(e -> e.vector().length != dim).take(1)
                .forEach(other -> EmbeddingChecks.requireDimension(other, name, dim));
        return dim;
    }

    /**
     * The set checked (finite, non-zero with {@code normalize}) and normalised, computed once and kept; a bad
     * embedding found in a task is rethrown here ({@link TaskErrors}), as is an image that could not be decoded
     * when the set is embedded on the fly.
     */
    private static JavaRDD<Embedding> prepare(JavaRDD<Embedding> set, String name, boolean normalize) {
        return TaskErrors.computeOnce(set.map(e -> EmbeddingChecks.checked(e, name, normalize)), name + " embeddings");
    }

    private static void requireUniqueIds(JavaRDD<Embedding> gallery, String name) {
        List<Tuple2<Long, Integer>> duplicates = gallery.mapToPair(e -> new Tuple2<>(e.id(), 1))
                .reduceByKey(Integer::sum).filter(t -> t._2() > 1).take(1);
        if (!duplicates.isEmpty()) {
            throw new UserInputException("the " + name + " set has " + duplicates.get(0)._2() + " embeddings with "
                    + "id " + duplicates.get(0)._1() + "; ids must be unique (they break score ties)");
        }
    }
}
