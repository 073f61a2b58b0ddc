package dev.proxyanchor.spark.metrics;

import dev.proxyanchor.model.UserInputException;
import dev.proxyanchor.spark.knn.BlockKnn;
import dev.proxyanchor.spark.knn.Embedding;
import dev.proxyanchor.spark.knn.Neighbours;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recall@K, MAP@R and R-Precision of embeddings by the distributed exact kNN: self-retrieval (every item queries all
 * others) when no gallery is given, else queries against the gallery. Per-query scores are computed on the
 * executors next to the search, so neighbour lists never travel.
 */
public final class RetrievalEvaluator {

    private static final Logger log = LoggerFactory.getLogger(RetrievalEvaluator.class);

    private RetrievalEvaluator() {
    }

    public static RetrievalMetrics evaluate(JavaSparkContext jsc, JavaRDD<Embedding> queries,
                                            JavaRDD<Embedding> galleryOrNull, int[] recallK, boolean normalize) {
        long t0 = System.nanoTime();
        boolean self = galleryOrNull == null;
        JavaRDD<Embedding> q = prepare(queries, normalize, self ? "embedding" : "query").cache();
        List<Embedding> gallery = self ? q.collect() : prepare(galleryOrNull, normalize, "gallery").collect();
        try {
            if (gallery.isEmpty()) {
                throw new UserInputException("nothing to evaluate: the " + (self ? "evaluation set" : "gallery")
                        + " is empty");
            }
            int dim = gallery.get(0).vector().length;
            Map<Integer, Long> perLabel = new HashMap<>();
            for (Embedding e : gallery) {
                if (e.vector().length != dim) {
                    throw new UserInputException("gallery item " + e.id() + " has " + e.vector().length
                            + " dimensions, the others " + dim);
                }
                perLabel.merge(e.label(), 1L, Long::sum);
            }
            long maxR = perLabel.values().stream().mapToLong(Long::longValue).max().orElse(0) - (self ? 1 : 0);
            int maxK = Arrays.stream(recallK).max().orElse(1);
            long available = gallery.size() - (self ? 1 : 0);
            if (maxK > available) {
                log.warn("Recall@{} asked for, but the gallery offers {} neighbours per query: recall at larger K "
                        + "is computed on all {}", maxK, available, available);
            }
            int k = (int) Math.max(1, Math.min(Math.max(maxK, maxR), available));
            Broadcast<Map<Integer, Long>> counts = jsc.broadcast(perLabel);
            int[] cutOffs = recallK.clone();
            // Summed per partition, then in partition order on the driver: the same result every run.
            QueryScores sum = QueryScores.zero(cutOffs.length);
            for (QueryScores part : BlockKnn.search(jsc, q, gallery, k, self, BlockKnn.DEFAULT_QUERY_BLOCK,
                            BlockKnn.DEFAULT_GALLERY_BLOCK)
                    .mapPartitions(neighbours -> {
                        QueryScores partial = QueryScores.zero(cutOffs.length);
                        while (neighbours.hasNext()) {
                            Neighbours n = neighbours.next();
                            long r = counts.value().getOrDefault(n.queryLabel(), 0L) - (self ? 1 : 0);
                            partial = partial.plus(RetrievalScoring.score(n.queryLabel(), n.labels(), cutOffs, (int) r));
                        }
                        return java.util.List.of(partial).iterator();
                    })
                    .collect()) {
                sum = sum.plus(part);
            }
            if (sum.queries() == 0) {
                throw new UserInputException("nothing to evaluate: the query set is empty");
            }
            return RetrievalMetrics.from(sum, recallK, gallery.size(), dim, self ? "self" : "query_gallery",
                    (System.nanoTime() - t0) / 1e9);
        } finally {
            q.unpersist();
        }
    }

    private static JavaRDD<Embedding> prepare(JavaRDD<Embedding> rdd, boolean normalize, String what) {
        return rdd.map(e -> checked(e, normalize, what));
    }

    static Embedding checked(Embedding e, boolean normalize, String what) {
        double sumSquares = 0;
        for (float v : e.vector()) {
            if (!Float.isFinite(v)) {
                throw new UserInputException(what + " " + e.id() + " contains " + v
                        + "; embeddings must be finite (a diverged model or a corrupt file)");
            }
            sumSquares += (double) v * v;
        }
        if (!normalize) {
            return e;
        }
        if (sumSquares == 0) {
            throw new UserInputException(what + " " + e.id() + " is the zero vector, which cannot be normalised");
        }
        float inv = (float) (1.0 / Math.sqrt(sumSquares));
        float[] unit = new float[e.vector().length];
        for (int i = 0; i < unit.length; i++) {
            unit[i] = e.vector()[i] * inv;
        }
        return new Embedding(e.id(), e.label(), unit);
    }
}
