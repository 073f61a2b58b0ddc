package dev.proxyanchor.spark.io;

import dev.proxyanchor.model.UsageException;
import dev.proxyanchor.model.UserInputException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * The file formats of stored embeddings, picked by the file's extension: what {@code embed --output} writes and
 * {@code evaluate} reads back. Each constant is one registry entry; help texts list {@link #extensions()}.
 */
public enum EmbeddingFormat {

    PARQUET(".parquet", true, "Parquet: id, path, label, role, embedding (a directory of parts)") {
        @Override
        JavaRDD<EmbeddingRecord> read(SparkSession spark, String uri, String labelsUri) {
            return EmbeddingParquet.read(spark, uri);
        }

        @Override
        void write(SparkSession spark, JavaRDD<EmbeddingRecord> records, EmbeddingMetadata metadata, String uri,
                boolean overwrite) {
            EmbeddingParquet.write(spark, records, metadata, uri, overwrite);
        }

        @Override
        List<String> outputs(String uri) {
            return List.of(uri);
        }
    },

    CSV(".csv", true, "CSV with the header id,path,label,role,e0,...,e{D-1}, paths quoted (RFC 4180)") {
        @Override
        JavaRDD<EmbeddingRecord> read(SparkSession spark, String uri, String labelsUri) {
            return CsvEmbeddings.read(JavaSparkContext.fromSparkContext(spark.sparkContext()), uri);
        }

        @Override
        void write(SparkSession spark, JavaRDD<EmbeddingRecord> records, EmbeddingMetadata metadata, String uri,
                boolean overwrite) {
            CsvEmbeddings.write(records, uri, spark.sparkContext().hadoopConfiguration());
        }

        @Override
        List<String> outputs(String uri) {
            return List.of(uri);
        }
    },

    NPY(".npy", false, "a float32 (N, D) matrix, with <name>.labels.npy (int64) and <name>.paths.txt beside it") {
        @Override
        JavaRDD<EmbeddingRecord> read(SparkSession spark, String uri, String labelsUri) {
            return NpyEmbeddings.read(JavaSparkContext.fromSparkContext(spark.sparkContext()), uri, labelsUri);
        }

        @Override
        void write(SparkSession spark, JavaRDD<EmbeddingRecord> records, EmbeddingMetadata metadata, String uri,
                boolean overwrite) {
            NpyEmbeddings.write(records, uri, spark.sparkContext().hadoopConfiguration());
        }

        @Override
        List<String> outputs(String uri) {
            return List.of(uri, NpyEmbeddings.labelsBeside(uri), NpyEmbeddings.pathsBeside(uri));
        }
    };

    private final String extension;
    private final boolean keepsRoles;
    private final String description;

    EmbeddingFormat(String extension, boolean keepsRoles, String description) {
        this.extension = extension;
        this.keepsRoles = keepsRoles;
        this.description = description;
    }

    /** The rows of {@code uri}; {@code labelsUri} is the separate labels file of a .npy matrix, or null. */
    abstract JavaRDD<EmbeddingRecord> read(SparkSession spark, String uri, String labelsUri);

    /**
     * Writes the rows to {@code uri} (and the files beside it this format needs); {@code metadata} (model,
     * embedding size, normalised, ...) goes where the format has a place for it, which only Parquet has.
     */
    abstract void write(SparkSession spark, JavaRDD<EmbeddingRecord> records, EmbeddingMetadata metadata, String uri,
            boolean overwrite);

    /** The files (or directories) a write to {@code uri} creates. */
    abstract List<String> outputs(String uri);

    public String extension() {
        return extension;
    }

    /** Whether a row's role (query, gallery, ...) survives a round trip; a bare matrix loses it. */
    public boolean keepsRoles() {
        return keepsRoles;
    }

    public String description() {
        return description;
    }

    /** Every registered extension, for help texts: {@code .parquet, .csv, .npy}. */
    public static List<String> extensions() {
        return Arrays.stream(values()).map(EmbeddingFormat::extension).toList();
    }

    /** The format {@code embed --output uri} writes, from its extension. */
    public static EmbeddingFormat ofOutput(String uri) {
        String name = uri.toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(f -> name.endsWith(f.extension)).findFirst()
                .orElseThrow(() -> new UsageException("--output " + uri + " has no known extension; its extension "
                        + "picks the format: " + Arrays.stream(values()).map(f -> f.extension + " (" + f.description
                        + ")").collect(Collectors.joining(", "))));
    }

    /** Refuses an output that exists (any of its files) unless {@code overwrite}; before any work is done. */
    public void requireWritable(Configuration hadoop, String uri, boolean overwrite) {
        for (String output : outputs(uri)) {
            SingleFileOutput.requireAbsentOrOverwrite(hadoop, output, overwrite);
        }
    }

    /** The format of a file to read, by its name; {@code .txt} and gzipped {@code .csv.gz} are CSV too. */
    static EmbeddingFormat ofInputName(String name, String uri) {
        String bare = name.toLowerCase(Locale.ROOT);
        bare = bare.endsWith(".gz") ? bare.substring(0, bare.length() - 3) : bare;
        if (bare.endsWith(".txt")) {
            return CSV;
        }
        for (EmbeddingFormat format : values()) {
            if (bare.endsWith(format.extension)) {
                return format;
            }
        }
        throw new UserInputException("cannot tell the format of " + uri + " from its name; expected "
                + String.join(", ", extensions()) + " (or .txt, .csv.gz for CSV)");
    }
}
