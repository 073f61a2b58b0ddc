package dev.proxyanchor.spark.metrics;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The metrics of one evaluation, in the JSON form of {@code metrics.jsonl} and {@code evaluate --output}.
 *
 * @param recall              Recall@K by K
 * @param queriesWithoutMatch queries with R = 0 (no other item of their class), left out of MAP@R and R-Precision
 * @param nmi                 NMI of a k-means clustering, or NaN when not computed
 */
public record RetrievalMetrics(long queries, long gallery, int dim, String mode, Map<Integer, Double> recall,
                               double mapAtR, double rPrecision, long queriesWithoutMatch, double nmi,
                               double seconds) {

    public static RetrievalMetrics from(QueryScores sum, int[] recallK, long gallery, int dim, String mode,
                                        double seconds) {
        Map<Integer, Double> recall = new LinkedHashMap<>();
        for (int i = 0; i < recallK.length; i++) {
            recall.put(recallK[i], sum.queries() == 0 ? Double.NaN : sum.hitsAtK()[i] / (double) sum.queries());
        }
        long matched = sum.queriesWithMatch();
        return new RetrievalMetrics(sum.queries(), gallery, dim, mode, recall,
                matched == 0 ? Double.NaN : sum.averagePrecisionAtR() / matched,
                matched == 0 ? Double.NaN : sum.rPrecision() / matched,
                sum.queries() - matched, Double.NaN, seconds);
    }

    public RetrievalMetrics withNmi(double value) {
        return new RetrievalMetrics(queries, gallery, dim, mode, recall, mapAtR, rPrecision, queriesWithoutMatch,
                value, seconds);
    }

    public double recallAt1() {
        return recall.getOrDefault(1, Double.NaN);
    }

    /** JSON-ready: recall keys as strings, nmi only when computed. */
    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("queries", queries);
        json.put("gallery", gallery);
        json.put("dim", dim);
        json.put("mode", mode);
        Map<String, Double> r = new LinkedHashMap<>();
        recall.forEach((k, v) -> r.put(String.valueOf(k), v));
        json.put("recall", r);
        json.put("map_at_r", mapAtR);
        json.put("r_precision", rPrecision);
        if (!Double.isNaN(nmi)) {
            json.put("nmi", nmi);
        }
        json.put("queries_without_match", queriesWithoutMatch);
        json.put("seconds", seconds);
        return json;
    }
}
