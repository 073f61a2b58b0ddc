package dev.proxyanchor.spark.io;

import dev.proxyanchor.spark.runtime.BuildInfo;
import java.util.Optional;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;

/**
 * What {@code embed} records about its vectors in the Parquet file, as key-value metadata of the {@code embedding}
 * column: the model and embedding size, the checkpoint, whether the vectors are L2-normalised, and the tool and
 * version that wrote them.
 *
 * <p>Spark 3.5's Parquet writer takes no file-level key-value pairs of ours (its write support is fixed, and Parquet
 * 1.13 has no setting for extra footer keys); a column's metadata is what it keeps, inside its own footer key
 * {@code org.apache.spark.sql.parquet.row.metadata} (JSON). Spark reads it back with the schema; other readers
 * find it in that JSON under {@code fields[name=embedding].metadata}.
 */
public record EmbeddingMetadata(String model, int embeddingSize, String checkpoint, boolean normalised, String tool,
                                String toolVersion) {

    static final String MODEL = "model";
    static final String EMBEDDING_SIZE = "embedding_size";
    static final String CHECKPOINT = "checkpoint";
    static final String NORMALISED = "normalised";
    static final String TOOL = "tool";
    static final String TOOL_VERSION = "tool_version";

    /** Written by this build. */
    public static EmbeddingMetadata of(String model, int embeddingSize, String checkpoint, boolean normalised) {
        return new EmbeddingMetadata(model, embeddingSize, checkpoint, normalised, BuildInfo.TOOL,
                BuildInfo.current().version());
    }

    Metadata toSpark() {
        return new MetadataBuilder().putString(MODEL, model).putLong(EMBEDDING_SIZE, embeddingSize)
                .putString(CHECKPOINT, checkpoint).putBoolean(NORMALISED, normalised).putString(TOOL, tool)
                .putString(TOOL_VERSION, toolVersion).build();
    }

    /** Empty for files without it (written by other tools or before this was recorded). */
    static Optional<EmbeddingMetadata> fromSpark(Metadata m) {
        if (!m.contains(NORMALISED) || !m.contains(MODEL)) {
            return Optional.empty();
        }
        return Optional.of(new EmbeddingMetadata(m.getString(MODEL),
                m.contains(EMBEDDING_SIZE) ? (int) m.getLong(EMBEDDING_SIZE) : 0,
                m.contains(CHECKPOINT) ? m.getString(CHECKPOINT) : null, m.getBoolean(NORMALISED),
                m.contains(TOOL) ? m.getString(TOOL) : null, m.contains(TOOL_VERSION) ? m.getString(TOOL_VERSION) : null));
    }
}
