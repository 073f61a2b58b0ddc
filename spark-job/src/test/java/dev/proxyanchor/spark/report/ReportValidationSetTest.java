package dev.proxyanchor.spark.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.proxyanchor.spark.io.EpochRecord;
import dev.proxyanchor.spark.metrics.RetrievalMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** A run with {@code --val-classes}: the report charts its {@code val} set and names it as what chose best/. */
class ReportValidationSetTest {

    /** Test R@1 peaks in epoch 1 (0-based), val R@1 in epoch 2: best/ holds epoch 2. */
    private static List<EpochRecord> epochs() {
        double[] test = {0.60, 0.75, 0.70};
        double[] val = {0.40, 0.45, 0.52};
        List<EpochRecord> epochs = new ArrayList<>();
        for (int e = 0; e < test.length; e++) {
            epochs.add(EpochRecord.builder(e).loss(5.0 - e).training(1000, 10)
                    .lr(new EpochRecord.LearningRates(1e-3, 1e-3, 1e-1))
                    .eval(metrics(test[e])).val(metrics(val[e])).evalSeconds(3).build());
        }
        return epochs;
    }

    private static RetrievalMetrics metrics(double r1) {
        return EpochRecord.fromJson("""
                {"epoch":0,"loss":1,"eval":{"queries":600,"gallery":600,"dim":64,"mode":"self",\
                "recall":{"1":%s,"2":%s},"map_at_r":%s,"r_precision":0.3,"queries_without_match":0,"seconds":1}}\
                """.formatted(r1, r1 + 0.1, r1 / 3), "fixture").eval();
    }

    @Test
    void theValidationSetIsChartedAndChoosesTheBestEpoch() throws Exception {
        List<EpochRecord> epochs = epochs();
        assertEquals(OptionalInt.of(2), RunCurves.bestEpoch(epochs));

        String html = ReportPage.render(new ReportPage.Contents("runs/val", new ObjectMapper().readTree("""
                {"settings": {"dataset": "fmnist", "model": "small_cnn", "embeddingSize": 64, "epochs": 3},
                 "validation": {"val_classes": "2", "held_out_classes": [1, 3]}}"""), epochs, Optional.empty()));

        List<String> charts = new ArrayList<>();
        Matcher label = Pattern.compile("<svg[^>]*aria-label=\"([^\"]+)\"").matcher(html);
        while (label.find()) {
            charts.add(label.group(1));
        }
        assertEquals(List.of("Training loss", "Learning rates", "Recall@K, test set", "Recall@K, val set", "MAP@R"),
                charts);
        assertTrue(html.contains("best epoch 3 (val R@1 0.5200)"), "the header names the set that chose best/");
        assertTrue(html.contains("data-set=\"val\""), "a final-metrics table for the val set");
        assertTrue(html.contains("data-name=\"val\""), "a val line in the MAP@R chart");
    }
}
