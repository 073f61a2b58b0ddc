package dev.proxyanchor.spark.io;

import dev.proxyanchor.model.UserInputException;
import dev.proxyanchor.spark.knn.Embedding;
import java.util.List;
import java.util.Objects;
import org.apache.spark.api.java.JavaRDD;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The query and gallery sets of stored embeddings: a separate gallery file, else the {@code role} column's
 * {@code query} and {@code gallery} rows, else self retrieval over every row.
 */
public final class RetrievalSets {

    public static final String QUERY = "query";
    public static final String GALLERY = "gallery";
    private static final Logger LOG = LoggerFactory.getLogger(RetrievalSets.class);

    private final JavaRDD<Embedding> queries;
    private final JavaRDD<Embedding> galleryOrNull;

    private RetrievalSets(JavaRDD<Embedding> queries, JavaRDD<Embedding> galleryOrNull) {
        this.queries = queries;
        this.galleryOrNull = galleryOrNull;
    }

    /**
     * @param galleryOrNull the rows of a separate gallery file, or null
     * @param uri the file {@code rows} came from, for messages
     * @param galleryUri the gallery's file, for messages; ignored without a gallery
     */
    public static RetrievalSets of(JavaRDD<EmbeddingRecord> rows, JavaRDD<EmbeddingRecord> galleryOrNull,
            String uri, String galleryUri) {
        requireRows(rows, uri);
        if (galleryOrNull != null) {
            requireRows(galleryOrNull, galleryUri);
            return new RetrievalSets(rows.map(EmbeddingRecord::toEmbedding),
                    galleryOrNull.map(EmbeddingRecord::toEmbedding));
        }
        List<String> roles = rows.map(EmbeddingRecord::role).filter(Objects::nonNull).distinct().collect();
        if (!roles.contains(QUERY) && !roles.contains(GALLERY)) {
            return new RetrievalSets(rows.map(EmbeddingRecord::toEmbedding), null);
        }
        if (!roles.contains(QUERY) || !roles.contains(GALLERY)) {
            throw new UserInputException("the role column of " + uri + " has " + (roles.contains(QUERY)
                    ? "query" : "gallery") + " rows but no " + (roles.contains(QUERY) ? "gallery" : "query")
                    + " rows; query-gallery evaluation needs both (roles found: " + roles + ")");
        }
        List<String> others = roles.stream().filter(r -> !r.equals(QUERY) && !r.equals(GALLERY)).toList();
        if (!others.isEmpty()) {
            LOG.info("{}: rows with role {} are left out of the query-gallery evaluation", uri, others);
        }
        return new RetrievalSets(withRole(rows, QUERY), withRole(rows, GALLERY));
    }

    private static void requireRows(JavaRDD<EmbeddingRecord> rows, String uri) {
        if (rows.isEmpty()) {
            throw new UserInputException(uri + " holds no embeddings (a header or a schema and no rows): there is "
                    + "nothing to evaluate; check that the file was written completely");
        }
    }

    private static JavaRDD<Embedding> withRole(JavaRDD<EmbeddingRecord> rows, String role) {
        return rows.filter(r -> role.equals(r.role())).map(EmbeddingRecord::toEmbedding);
    }

    public JavaRDD<Embedding> queries() {
        return queries;
    }

    /** Null for self retrieval. */
    public JavaRDD<Embedding> galleryOrNull() {
        return galleryOrNull;
    }
}
