package dev.proxyanchor.spark.report;

import dev.proxyanchor.datasets.DatasetException;
import dev.proxyanchor.datasets.Role;
import dev.proxyanchor.datasets.Sample;
import dev.proxyanchor.datasets.SampleLoader;
import dev.proxyanchor.model.UserInputException;
import dev.proxyanchor.spark.io.EmbeddingParquet;
import dev.proxyanchor.spark.io.EmbeddingRecord;
import dev.proxyanchor.spark.io.RetrievalSets;
import dev.proxyanchor.spark.knn.BlockKnn;
import dev.proxyanchor.spark.knn.Embedding;
import dev.proxyanchor.spark.knn.EmbeddingChecks;
import dev.proxyanchor.spark.knn.KnnOptions;
import dev.proxyanchor.spark.knn.KnnResult;
import dev.proxyanchor.spark.knn.NeighbourList;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * Builds the report's retrieval gallery from the Parquet {@code embed} wrote: a seeded sample of queries, their
 * nearest gallery items by cosine similarity through the exact {@link BlockKnn} pass (itself excluded in self
 * retrieval), and thumbnails of every image read through the dataset readers' {@link SampleLoader}, so that
 * Fashion-MNIST's come out of its idx files like any other dataset's.
 */
final class GalleryBuilder {

    static final int THUMBNAIL_SIDE = 84;

    private GalleryBuilder() {
    }

    static Gallery build(SparkSession spark, String uri, int queryCount, int neighbourCount, long seed) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        JavaRDD<EmbeddingRecord> rows = EmbeddingParquet.read(spark, uri).cache();
        try {
            if (!rows.filter(r -> r.path() == null || r.path().isEmpty()).take(1).isEmpty()) {
                throw new UserInputException(uri + " has rows without an image path; the gallery needs the Parquet "
                        + "that embed writes (its path column), not embeddings from elsewhere");
            }
            RetrievalSets sets = RetrievalSets.of(rows, null, uri, null);
            boolean self = sets.galleryOrNull() == null;
            int dim = rows.first().embedding().length;
            JavaRDD<Embedding> queries = unit(sets.queries(), "query", dim);
            JavaRDD<Embedding> gallery = self ? queries : unit(sets.galleryOrNull(), "gallery", dim);
            List<Embedding> chosen = new ArrayList<>(queries.takeSample(false, queryCount, seed));
            chosen.sort(Comparator.comparingLong(Embedding::id));
            int k = (int) Math.min(neighbourCount + (self ? 1 : 0), gallery.count());
            List<NeighbourList> lists;
            try (KnnResult knn = BlockKnn.search(jsc, jsc.parallelize(chosen, 1), gallery,
                    KnnOptions.builder(k).build())) {
                lists = new ArrayList<>(knn.neighbours().collect());
            }
            lists.sort(Comparator.comparingLong(NeighbourList::queryId));
            return new Gallery(uri, withThumbnails(jsc, rows, lists, neighbourCount));
        } finally {
            rows.unpersist(false);
        }
    }

    private static JavaRDD<Embedding> unit(JavaRDD<Embedding> set, String name, int dim) {
        return set.map(e -> {
            Embedding unit = EmbeddingChecks.checked(e, name, true);
            EmbeddingChecks.requireDimension(unit, name, dim);
            return unit;
        });
    }

    private static List<Gallery.Query> withThumbnails(JavaSparkContext jsc, JavaRDD<EmbeddingRecord> rows,
                                                      List<NeighbourList> lists, int neighbourCount) {
        Set<Long> ids = new HashSet<>();
        for (NeighbourList list : lists) {
            ids.add(list.queryId());
            for (long id : list.ids()) {
                ids.add(id);
            }
        }
        Map<Long, EmbeddingRecord> byId = new HashMap<>();
        rows.filter(r -> ids.contains(r.id())).collect().forEach(r -> byId.put(r.id(), r));
        SampleLoader loader = new SampleLoader(jsc.hadoopConfiguration());
        Map<Long, Gallery.Item> items = new HashMap<>();
        List<Gallery.Query> queries = new ArrayList<>();
        for (NeighbourList list : lists) {
            Gallery.Item query = items.computeIfAbsent(list.queryId(), id -> item(byId.get(id), loader));
            List<Gallery.Neighbour> neighbours = new ArrayList<>();
            for (int i = 0; i < list.size() && neighbours.size() < neighbourCount; i++) {
                if (list.ids()[i] == list.queryId()) {
                    continue;
                }
                Gallery.Item found = items.computeIfAbsent(list.ids()[i], id -> item(byId.get(id), loader));
                neighbours.add(new Gallery.Neighbour(found, list.scores()[i], found.label() == query.label()));
            }
            queries.add(new Gallery.Query(query, neighbours));
        }
        return queries;
    }

    private static Gallery.Item item(EmbeddingRecord row, SampleLoader loader) {
        try {
            return new Gallery.Item(row.id(), row.path(), row.label(), Thumbnails.dataUri(
                    loader.load(new Sample(row.path(), row.label(), Role.EVAL)), THUMBNAIL_SIDE));
        } catch (DatasetException e) {
            throw new UserInputException("the gallery cannot show image " + row.path() + " (id " + row.id() + "): "
                    + e.getMessage(), e);
        }
    }
}
