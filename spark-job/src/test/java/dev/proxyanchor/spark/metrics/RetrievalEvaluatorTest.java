package dev.proxyanchor.spark.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxyanchor.spark.SparkTestSessions;
import dev.proxyanchor.spark.UserErrors;
import dev.proxyanchor.spark.knn.Embedding;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RetrievalEvaluatorTest {

    private static SparkSession spark;
    private static JavaSparkContext jsc;

    @BeforeAll
    static void startSpark() {
        spark = SparkTestSessions.localTwo("RetrievalEvaluatorTest");
        jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    /** A point on a circle of radius 3 (normalisation must bring it to unit length). */
    private static Embedding at(long id, int label, double degrees) {
        double r = Math.toRadians(degrees);
        return new Embedding(id, label, new float[] {(float) (3 * Math.cos(r)), (float) (3 * Math.sin(r))});
    }

    private static JavaRDD<Embedding> rdd(List<Embedding> rows) {
        return jsc.parallelize(rows, 2);
    }

    @Test
    void selfRetrievalMetricsMatchAHandWorkedExample() {
        // Angles 0, 10, 25, 42, 90, 100 degrees with classes A A B A B C. Neighbour labels by hand:
        // id0 [A B A B C] rank 1, R 2: AP 1/2, RP 1/2     id1 [A B A B C] rank 1, R 2: AP 1/2, RP 1/2
        // id2 [A A A B C] rank 4, R 1: AP 0,   RP 0       id3 [B A A B C] rank 2, R 2: AP 1/4, RP 1/2
        // id4 [C A B A A] rank 3, R 1: AP 0,   RP 0       id5 [B A B A A] no match, R 0: left out
        List<Embedding> rows = List.of(at(0, 0, 0), at(1, 0, 10), at(2, 1, 25), at(3, 0, 42), at(4, 1, 90),
                at(5, 2, 100));

        RetrievalMetrics m = RetrievalEvaluator.evaluate(jsc, rdd(rows), null, new int[] {1, 2, 4, 10},
                EvaluationOptions.defaults());

        assertEquals(2.0 / 6, m.recall().get(1), 1e-12);
        assertEquals(3.0 / 6, m.recall().get(2), 1e-12);
        assertEquals(5.0 / 6, m.recall().get(4), 1e-12);
        assertEquals(5.0 / 6, m.recall().get(10), 1e-12);
        assertEquals(Map.of(10, 5), m.clampedK(), "K 10 exceeds the 5 other items");
        assertEquals(1.25 / 5, m.mapAtR(), 1e-12);
        assertEquals(1.5 / 5, m.rPrecision(), 1e-12);
        assertEquals(1, m.queriesWithoutMatch());
        assertEquals(6, m.queries());
        assertEquals(6, m.gallery());
        assertEquals(2, m.dim());
        assertEquals("self", m.mode());
        assertNull(m.nmi());
        assertTrue(m.toJson().contains("\"recall\":{\"1\":0.3333333333333333,\"2\":0.5,"), m.toJson());
        assertTrue(m.toJson().contains("\"map_at_r\":0.25,\"r_precision\":0.3,"), m.toJson());
    }

    @Test
    void queryGalleryMetricsMatchAHandWorkedExample() {
        // Query 0 deg (A) sees [B A A] (20, 30, 50 deg): rank 2, R 2, AP 1/4, RP 1/2.
        // Query 45 deg (B) sees [A A B] (50, 30, 20 deg): rank 3, R 1, AP 0, RP 0.
        List<Embedding> gallery = List.of(at(10, 1, 20), at(11, 0, 30), at(12, 0, 50));
        List<Embedding> queries = List.of(at(0, 0, 0), at(1, 1, 45));

        RetrievalMetrics m = RetrievalEvaluator.evaluate(jsc, rdd(queries), rdd(gallery), new int[] {1, 2, 3},
                EvaluationOptions.defaults());

        assertEquals(0.0, m.recall().get(1), 1e-12);
        assertEquals(0.5, m.recall().get(2), 1e-12);
        assertEquals(1.0, m.recall().get(3), 1e-12);
        assertEquals(0.125, m.mapAtR(), 1e-12);
        assertEquals(0.25, m.rPrecision(), 1e-12);
        assertEquals("query-gallery", m.mode());
        assertEquals(0, m.queriesWithoutMatch());
    }

    @Test
    void nmiIsOneForWellSeparatedClasses() {
        Random random = new Random(3);
        List<Embedding> rows = new ArrayList<>();
        double[] centres = {0, 120, 240};
        for (int i = 0; i < 60; i++) {
            rows.add(at(i, i % 3, centres[i % 3] + random.nextGaussian()));
        }

        RetrievalMetrics m = RetrievalEvaluator.evaluate(jsc, rdd(rows), null, new int[] {1},
                EvaluationOptions.builder().nmi(true).build());

        assertEquals(1.0, m.nmi(), 1e-9);
        assertTrue(m.toJson().contains("\"nmi\":1.0"), m.toJson());
    }

    @Test
    void badEmbeddingsAreNamedById() {
        List<Embedding> good = List.of(at(0, 0, 0), at(1, 0, 10), at(2, 1, 20));
        int[] k = {1};
        EvaluationOptions defaults = EvaluationOptions.defaults();

        String nan = UserErrors.messageOf(() -> RetrievalEvaluator.evaluate(jsc,
                rdd(with(good, new Embedding(7, 0, new float[] {1, Float.NaN}))), null, k, defaults));
        assertTrue(nan.contains("id 7") && nan.contains("NaN") && nan.contains("position 1"), nan);

        String zero = UserErrors.messageOf(() -> RetrievalEvaluator.evaluate(jsc,
                rdd(with(good, new Embedding(8, 0, new float[] {0, 0}))), null, k, defaults));
        assertTrue(zero.contains("id 8") && zero.contains("zero vector"), zero);

        String length = UserErrors.messageOf(() -> RetrievalEvaluator.evaluate(jsc,
                rdd(with(good, new Embedding(9, 0, new float[] {1, 2, 3}))), null, k, defaults));
        assertTrue(length.contains("id 9") && length.contains("has 3 values, expected 2"), length);

        String empty = UserErrors.messageOf(() -> RetrievalEvaluator.evaluate(jsc, rdd(List.of()), null, k,
                defaults));
        assertTrue(empty.contains("query set is empty"), empty);

        String dims = UserErrors.messageOf(() -> RetrievalEvaluator.evaluate(jsc, rdd(good),
                rdd(List.of(new Embedding(1, 0, new float[] {1, 2, 3}))), k, defaults));
        assertTrue(dims.contains("gallery embeddings have 3 values but query embeddings have 2"), dims);

        String duplicate = UserErrors.messageOf(() -> RetrievalEvaluator.evaluate(jsc,
                rdd(with(good, at(1, 1, 50))), null, k, defaults));
        assertTrue(duplicate.contains("id 1") && duplicate.contains("unique"), duplicate);
    }

    private static List<Embedding> with(List<Embedding> rows, Embedding extra) {
        List<Embedding> out = new ArrayList<>(rows);
        out.add(extra);
        return out;
    }
}
