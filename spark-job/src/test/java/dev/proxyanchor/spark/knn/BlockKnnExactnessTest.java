package dev.proxyanchor.spark.knn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxyanchor.spark.SparkTestSessions;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class BlockKnnExactnessTest {

    private static SparkSession spark;
    private static JavaSparkContext jsc;

    @BeforeAll
    static void startSpark() {
        spark = SparkTestSessions.localTwo("BlockKnnExactnessTest");
        jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    /** queryBlockRows, galleryBlockRows, galleryShardRows, input partitions, query partitions. */
    static Stream<Arguments> layouts() {
        return Stream.of(
                Arguments.of(1, 1, 1000, 1, 1),
                Arguments.of(7, 13, 40, 3, 5),
                Arguments.of(64, 50, 100, 4, 2),
                Arguments.of(1000, 1000, 1000, 2, 3));
    }

    @ParameterizedTest(name = "blocks {0}x{1}, shard {2}, partitions {3}/{4}")
    @MethodSource("layouts")
    void selfRetrievalMatchesBruteForceWhateverTheLayout(int qRows, int gRows, int shardRows, int inputPartitions,
            int queryPartitions) {
        List<Embedding> data = ClusteredEmbeddings.generate(11, 260, 16, 6, 25, 1000);
        KnnOptions options = KnnOptions.builder(20).queryBlockRows(qRows).galleryBlockRows(gRows)
                .galleryShardRows(shardRows).queryPartitions(queryPartitions).build();

        List<NeighbourList> actual = run(jsc.parallelize(data, inputPartitions), null, options);

        assertSameLists(BruteForceKnn.search(data, data, true, 20), actual);
    }

    @ParameterizedTest(name = "blocks {0}x{1}, shard {2}, partitions {3}/{4}")
    @MethodSource("layouts")
    void queryGalleryMatchesBruteForceAndExcludesNothing(int qRows, int gRows, int shardRows, int inputPartitions,
            int queryPartitions) {
        List<Embedding> gallery = ClusteredEmbeddings.generate(12, 240, 16, 6, 10, 5000);
        List<Embedding> queries = ClusteredEmbeddings.generate(13, 90, 16, 6, 0, 0);
        // A query that is also in the gallery must find itself: nothing is excluded in this mode.
        queries.add(gallery.get(17));
        KnnOptions options = KnnOptions.builder(15).queryBlockRows(qRows).galleryBlockRows(gRows)
                .galleryShardRows(shardRows).queryPartitions(queryPartitions).build();

        List<NeighbourList> actual = run(jsc.parallelize(queries, inputPartitions),
                jsc.parallelize(gallery, inputPartitions + 1), options);

        assertSameLists(BruteForceKnn.search(queries, gallery, false, 15), actual);
        NeighbourList itself = actual.stream().filter(l -> l.queryId() == gallery.get(17).id()).findFirst()
                .orElseThrow();
        assertEquals(gallery.get(17).id(), itself.ids()[0]);
    }

    @ParameterizedTest(name = "blocks {0}x{1}, shard {2}, partitions {3}/{4}")
    @MethodSource("layouts")
    void unnormalisedVectorsWithNormsFromOneHundredthToAHundredMatchBruteForce(int qRows, int gRows,
            int shardRows, int inputPartitions, int queryPartitions) {
        // evaluate --no-normalize: the GEMM error grows with the norms, and near-ties must still be ordered exactly.
        List<Embedding> data = ClusteredEmbeddings.nearTiesOfEveryNorm(17, 30, 8, 64, 5);
        KnnOptions options = KnnOptions.builder(12).queryBlockRows(qRows).galleryBlockRows(gRows)
                .galleryShardRows(shardRows).queryPartitions(queryPartitions).build();

        List<NeighbourList> actual = run(jsc.parallelize(data, inputPartitions), null, options);

        assertSameLists(BruteForceKnn.search(data, data, true, 12), actual);
    }

    @Test
    void selfRetrievalExcludesTheQueryByIndexAndKeepsItsDuplicate() {
        List<Embedding> data = ClusteredEmbeddings.generate(14, 50, 8, 3, 0, 0);
        Embedding original = data.get(10);
        // Same vector and label at another index, with a larger id: an exact tie with the query itself.
        data.add(30, new Embedding(999, original.label(), original.vector().clone()));

        List<NeighbourList> actual = run(jsc.parallelize(data, 3), null,
                KnnOptions.builder(5).queryBlockRows(4).galleryBlockRows(6).build());

        NeighbourList ofOriginal = find(actual, original.id());
        assertEquals(999, ofOriginal.ids()[0], "the duplicate at another index is the nearest neighbour");
        assertTrue(idStream(ofOriginal.ids()).noneMatch(id -> id == original.id()), "the query itself is out");
        NeighbourList ofDuplicate = find(actual, 999);
        assertEquals(original.id(), ofDuplicate.ids()[0]);
        assertTrue(idStream(ofDuplicate.ids()).noneMatch(id -> id == 999));
    }

    @Test
    void equalScoresPutTheSmallerGalleryIdFirst() {
        float[] v = ClusteredEmbeddings.unit(new float[] {1, 2, 3, 4});
        float[] other = ClusteredEmbeddings.unit(new float[] {4, 3, 2, 1});
        List<Embedding> gallery = List.of(new Embedding(42, 0, v.clone()), new Embedding(7, 1, v.clone()),
                new Embedding(19, 2, v.clone()), new Embedding(3, 3, other));
        List<Embedding> queries = List.of(new Embedding(100, 0, v.clone()));

        NeighbourList list = run(jsc.parallelize(queries, 1), jsc.parallelize(gallery, 2),
                KnnOptions.builder(4).galleryBlockRows(1).galleryShardRows(2).build()).get(0);

        assertArrayEquals(new long[] {7, 19, 42, 3}, list.ids());
    }

    @Test
    void aKLargerThanTheGalleryReturnsTheWholeGallery() {
        List<Embedding> data = ClusteredEmbeddings.generate(15, 12, 4, 2, 0, 0);

        List<NeighbourList> actual = run(jsc.parallelize(data, 2), null, KnnOptions.builder(50).build());

        assertSameLists(BruteForceKnn.search(data, data, true, 50), actual);
        actual.forEach(l -> assertEquals(11, l.size()));
    }

    @Test
    void theFlatBaselineMatchesBruteForce() {
        List<Embedding> data = ClusteredEmbeddings.generate(16, 200, 12, 5, 8, 0);
        long[] ids = data.stream().mapToLong(Embedding::id).toArray();
        int[] labels = data.stream().mapToInt(Embedding::label).toArray();
        float[] vectors = new float[data.size() * 12];
        for (int r = 0; r < data.size(); r++) {
            System.arraycopy(data.get(r).vector(), 0, vectors, r * 12, 12);
        }
        List<NeighbourList> actual = new CopyOnWriteArrayList<>();

        FlatSearch.selfSearch(ids, labels, vectors, 12,
                KnnOptions.builder(9).queryBlockRows(17).galleryBlockRows(31).build(), 2, actual::add);

        assertSameLists(BruteForceKnn.search(data, data, true, 9), actual);
    }

    private static List<NeighbourList> run(JavaRDD<Embedding> queries, JavaRDD<Embedding> gallery,
            KnnOptions options) {
        try (KnnResult result = BlockKnn.search(jsc, queries, gallery, options)) {
            return result.neighbours().collect();
        }
    }

    private static void assertSameLists(List<NeighbourList> expected, List<NeighbourList> actual) {
        assertEquals(expected.size(), actual.size(), "one list per query");
        List<NeighbourList> sorted = actual.stream().sorted(Comparator.comparingLong(NeighbourList::queryId))
                .toList();
        List<NeighbourList> expectedSorted = expected.stream()
                .sorted(Comparator.comparingLong(NeighbourList::queryId)).toList();
        for (int q = 0; q < expected.size(); q++) {
            NeighbourList e = expectedSorted.get(q);
            NeighbourList a = sorted.get(q);
            assertEquals(e.queryId(), a.queryId());
            assertEquals(e.queryLabel(), a.queryLabel());
            assertArrayEquals(e.ids(), a.ids(), "neighbour ids of query " + e.queryId() + ": expected "
                    + Arrays.toString(e.ids()) + " " + Arrays.toString(e.scores()) + ", got "
                    + Arrays.toString(a.ids()) + " " + Arrays.toString(a.scores()));
            assertArrayEquals(e.labels(), a.labels(), "neighbour labels of query " + e.queryId());
            for (int i = 0; i < e.size(); i++) {
                // Scores left unrescored are GEMM scores: within the (norm-scaled) error bound of the exact ones.
                assertEquals(e.scores()[i], a.scores()[i], 1e-6f * Math.max(1, Math.abs(e.scores()[i])),
                        "score " + i + " of query " + e.queryId());
            }
        }
        assertFalse(expected.isEmpty());
    }

    private static NeighbourList find(List<NeighbourList> lists, long queryId) {
        return lists.stream().filter(l -> l.queryId() == queryId).findFirst().orElseThrow();
    }

    private static LongStream idStream(long[] ids) {
        return Arrays.stream(ids);
    }
}
