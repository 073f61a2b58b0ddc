package dev.proxyanchor.spark.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxyanchor.model.UserInputException;
import dev.proxyanchor.spark.SharedSpark;
import dev.proxyanchor.spark.knn.Embedding;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;

/** Metrics on tiny examples computed by hand. */
class RetrievalScoringTest {

    @Test
    void recallAtKCountsAHitAnywhereInTheFirstK() {
        QueryScores s = RetrievalScoring.score(3, new int[] {1, 2, 3, 3, 1}, new int[] {1, 2, 4}, 2);
        assertArrayEquals(new long[] {0, 0, 1}, s.hitsAtK());
    }

    @Test
    void mapAtRAndRPrecisionByHand() {
        // R = 3; relevant at ranks 1 and 3 within the first 3: AP@R = (1/1 + 2/3) / 3, R-Precision = 2/3.
        QueryScores s = RetrievalScoring.score(7, new int[] {7, 1, 7, 7, 2}, new int[] {1}, 3);
        assertEquals((1.0 + 2.0 / 3) / 3, s.averagePrecisionAtR(), 1e-12);
        assertEquals(2.0 / 3, s.rPrecision(), 1e-12);
    }

    @Test
    void queriesWithoutOtherItemsOfTheirClassAreLeftOutAndCounted() {
        QueryScores s = RetrievalScoring.score(9, new int[] {1, 2}, new int[] {1}, 0);
        assertEquals(0, s.queriesWithMatch());
        assertEquals(1, s.queries());
    }

    @Test
    void selfRetrievalOnAHandMadeSet() {
        JavaSparkContext jsc = SharedSpark.jsc();
        // Labels 0 (items 0, 1), 1 (items 2, 3) and a lone label-2 item 4 lying between 0 and 1.
        List<Embedding> items = List.of(
                new Embedding(0, 0, new float[] {1, 0}),
                new Embedding(1, 0, new float[] {0.8f, 0.6f}),
                new Embedding(2, 1, new float[] {0, 1}),
                new Embedding(3, 1, new float[] {0.1f, 0.99f}),
                new Embedding(4, 2, new float[] {0.95f, 0.3f}));
        RetrievalMetrics m = RetrievalEvaluator.evaluate(jsc, jsc.parallelize(items, 2), null, new int[] {1, 2}, true);
        // Items 0 and 1 both have item 4 nearest (miss), then each other (hit at 2); items 2 and 3 hit at 1; item 4
        // never hits and has R = 0.
        assertEquals(2.0 / 5, m.recall().get(1), 1e-9);
        assertEquals(4.0 / 5, m.recall().get(2), 1e-9);
        assertEquals(1, m.queriesWithoutMatch());
        // R = 1 for items 0-3: AP@R = R-Precision = precision at rank 1 = 0, 0, 1, 1.
        assertEquals(0.5, m.mapAtR(), 1e-9);
        assertEquals(0.5, m.rPrecision(), 1e-9);
        assertEquals(5, m.queries());
        assertEquals("self", m.mode());
    }

    @Test
    void nanAndZeroVectorsAreNamed() {
        JavaSparkContext jsc = SharedSpark.jsc();
        List<Embedding> nan = List.of(new Embedding(0, 0, new float[] {1, 0}), new Embedding(1, 0, new float[] {Float.NaN, 0}));
        Exception e = assertThrows(Exception.class,
                () -> RetrievalEvaluator.evaluate(jsc, jsc.parallelize(nan, 1), null, new int[] {1}, true));
        assertTrue(messages(e).contains("embedding 1 contains NaN"), messages(e));
        List<Embedding> zero = List.of(new Embedding(0, 0, new float[] {1, 0}), new Embedding(5, 0, new float[] {0, 0}));
        e = assertThrows(Exception.class,
                () -> RetrievalEvaluator.evaluate(jsc, jsc.parallelize(zero, 1), null, new int[] {1}, true));
        assertTrue(messages(e).contains("embedding 5 is the zero vector"), messages(e));
    }

    private static String messages(Throwable t) {
        StringBuilder s = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof UserInputException) {
                s.append(c.getMessage());
            }
        }
        return s.toString();
    }
}
