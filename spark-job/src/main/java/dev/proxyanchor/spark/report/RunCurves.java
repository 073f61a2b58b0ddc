package dev.proxyanchor.spark.report;

import dev.proxyanchor.spark.io.EpochRecord;
import dev.proxyanchor.spark.metrics.RetrievalMetrics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/** The per-epoch charts of a run, read from its epoch records: loss, learning rates, Recall@K and MAP@R. */
final class RunCurves {

    /** How the report names an evaluation set of the metrics file. */
    static final Map<String, String> SET_NAMES = Map.of("eval", "test", "eval_seen", "seen", "val", "val");

    private RunCurves() {
    }

    static String setName(String key) {
        return SET_NAMES.getOrDefault(key, key);
    }

    /**
     * The epoch {@code best/} holds: the first with the highest selection Recall@1 (validation set if the run has
     * one, else evaluation set), the rule the training loop applies ({@code TrainingState.afterEpoch}).
     */
    static OptionalInt bestEpoch(List<EpochRecord> epochs) {
        int best = -1;
        double bestRecall = -1;
        for (EpochRecord e : epochs) {
            double r = e.selectionRecallAt1();
            if (!Double.isNaN(r) && r > bestRecall) {
                bestRecall = r;
                best = e.epoch();
            }
        }
        return best < 0 ? OptionalInt.empty() : OptionalInt.of(best);
    }

    static List<LineChart> charts(List<EpochRecord> epochs) {
        double[] x = epochs.stream().mapToDouble(e -> e.epoch() + 1).toArray();
        List<LineChart> charts = new ArrayList<>();
        charts.add(new LineChart("Training loss", "loss", false)
                .add(new LineChart.Series("loss", x, values(epochs, EpochRecord::loss))));
        charts.add(new LineChart("Learning rates", "learning rate (log)", true)
                .add(new LineChart.Series("backbone", x, values(epochs, e -> e.lr() == null ? Double.NaN
                        : e.lr().backbone())))
                .add(new LineChart.Series("embedding", x, values(epochs, e -> e.lr() == null ? Double.NaN
                        : e.lr().embedding())))
                .add(new LineChart.Series("proxies", x, values(epochs, e -> e.lr() == null
                        || e.lr().proxies() == null ? Double.NaN : e.lr().proxies()))));
        Map<String, List<Integer>> setsAndK = setsAndK(epochs);
        for (Map.Entry<String, List<Integer>> set : setsAndK.entrySet()) {
            LineChart recall = new LineChart("Recall@K, " + setName(set.getKey()) + " set", "recall", false);
            for (int k : set.getValue()) {
                recall.add(new LineChart.Series("R@" + k, x,
                        values(epochs, e -> metric(e, set.getKey(), m -> m.recall().getOrDefault(k, Double.NaN)))));
            }
            charts.add(recall);
        }
        LineChart map = new LineChart("MAP@R", "MAP@R", false);
        for (String set : setsAndK.keySet()) {
            map.add(new LineChart.Series(setName(set), x, values(epochs, e -> metric(e, set, RetrievalMetrics::mapAtR))));
        }
        if (!setsAndK.isEmpty()) {
            charts.add(map);
        }
        OptionalInt best = bestEpoch(epochs);
        best.ifPresent(b -> charts.forEach(c -> c.markBest(b + 1)));
        return charts.stream().filter(c -> !c.isEmpty()).toList();
    }

    /** Every evaluation set found in the records, with every K its recall was measured at, in order. */
    private static Map<String, List<Integer>> setsAndK(List<EpochRecord> epochs) {
        Map<String, Set<Integer>> found = new LinkedHashMap<>();
        for (EpochRecord e : epochs) {
            e.evaluations().forEach((set, m) -> found.computeIfAbsent(set, s -> new LinkedHashSet<>())
                    .addAll(m.recall().keySet()));
        }
        Map<String, List<Integer>> out = new LinkedHashMap<>();
        found.forEach((set, ks) -> out.put(set, ks.stream().sorted().toList()));
        return out;
    }

    private static double metric(EpochRecord e, String set, ToDoubleFunction<RetrievalMetrics> f) {
        RetrievalMetrics m = e.evaluations().get(set);
        return m == null ? Double.NaN : f.applyAsDouble(m);
    }

    private static double[] values(List<EpochRecord> epochs, ToDoubleFunction<EpochRecord> f) {
        return epochs.stream().mapToDouble(f).toArray();
    }
}
