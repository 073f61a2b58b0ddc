package dev.proxyanchor.spark.knn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.proxyanchor.spark.SharedSpark;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The distributed block kNN equals a brute-force search, whatever the block sizes and partitions. */
class BlockKnnExactnessTest {

    /** Clustered unit vectors, with exact duplicates so that ties occur. */
    static List<Embedding> clustered(int n, int dim, int classes, long seed, long firstId) {
        Random random = new Random(seed);
        float[][] centres = new float[classes][dim];
        for (float[] c : centres) {
            for (int d = 0; d < dim; d++) {
                c[d] = (float) random.nextGaussian();
            }
        }
        List<Embedding> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int label = random.nextInt(classes);
            float[] v;
            if (i > 0 && i % 7 == 0) {
                Embedding twin = out.get(random.nextInt(out.size()));
                v = twin.vector().clone();
                label = twin.label();
            } else {
                v = new float[dim];
                for (int d = 0; d < dim; d++) {
                    v[d] = centres[label][d] + 0.5f * (float) random.nextGaussian();
                }
            }
            out.add(new Embedding(firstId + i, label, normalise(v)));
        }
        return out;
    }

    static float[] normalise(float[] v) {
        double s = 0;
        for (float x : v) {
            s += x * x;
        }
        float inv = (float) (1 / Math.sqrt(s));
        for (int i = 0; i < v.length; i++) {
            v[i] *= inv;
        }
        return v;
    }

    /** Brute force: dot products accumulated in double, ties by smaller id. */
    static long[] bruteForce(Embedding q, List<Embedding> gallery, int k, boolean excludeSelf) {
        record Hit(long id, double score) {
        }
        List<Hit> hits = new ArrayList<>();
        for (Embedding g : gallery) {
            if (excludeSelf && g.id() == q.id()) {
                continue;
            }
            double s = 0;
            for (int d = 0; d < q.vector().length; d++) {
                s += (double) q.vector()[d] * g.vector()[d];
            }
            hits.add(new Hit(g.id(), s));
        }
        hits.sort(Comparator.comparing(Hit::score).reversed().thenComparing(Hit::id));
        return hits.stream().limit(k).mapToLong(Hit::id).toArray();
    }

    @ParameterizedTest(name = "self={0} queryBlock={1} galleryBlock={2} partitions={3}")
    @CsvSource({"true,1000,1000,1", "true,7,13,3", "true,64,50,4", "false,5,1000,2", "false,33,17,5"})
    void matchesBruteForce(boolean self, int queryBlock, int galleryBlock, int partitions) {
        JavaSparkContext jsc = SharedSpark.jsc();
        List<Embedding> gallery = clustered(300, 16, 6, 11, 0);
        List<Embedding> queries = self ? gallery : clustered(120, 16, 6, 12, 10_000);
        int k = 25;
        Map<Long, Neighbours> found = BlockKnn.search(jsc, jsc.parallelize(queries, partitions), gallery, k, self,
                        queryBlock, galleryBlock)
                .collect().stream().collect(Collectors.toMap(Neighbours::queryId, n -> n));
        assertEquals(queries.size(), found.size());
        int mismatched = 0;
        for (Embedding q : queries) {
            long[] expected = bruteForce(q, gallery, k, self);
            long[] actual = found.get(q.id()).ids();
            if (!java.util.Arrays.equals(expected, actual)) {
                mismatched++;
            }
            if (self) {
                for (long id : actual) {
                    assertEquals(false, id == q.id(), "query " + q.id() + " found itself");
                }
            }
        }
        assertEquals(0, mismatched, "neighbour lists differ from brute force");
    }

    @ParameterizedTest(name = "partitions={0}")
    @CsvSource({"1", "3"})
    void resultsDoNotDependOnPartitioning(int partitions) {
        JavaSparkContext jsc = SharedSpark.jsc();
        List<Embedding> gallery = clustered(200, 8, 4, 5, 0);
        List<Neighbours> reference = BlockKnn.search(jsc, jsc.parallelize(gallery, 1), gallery, 10, true, 1000, 1000)
                .collect();
        List<Neighbours> other = BlockKnn.search(jsc, jsc.parallelize(gallery, partitions), gallery, 10, true, 9, 31)
                .collect();
        Map<Long, Neighbours> byId = other.stream().collect(Collectors.toMap(Neighbours::queryId, n -> n));
        for (Neighbours n : reference) {
            assertArrayEquals(n.ids(), byId.get(n.queryId()).ids());
            assertArrayEquals(n.scores(), byId.get(n.queryId()).scores());
        }
    }
}
