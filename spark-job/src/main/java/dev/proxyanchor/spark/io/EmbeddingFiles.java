package dev.proxyanchor.spark.io;

import dev.proxyanchor.model.UserInputException;
import dev.proxyanchor.spark.runtime.TaskErrors;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * Reads stored embeddings in any supported format, chosen by the file name: Parquet in the {@code embed} layout
 * ({@code .parquet} or a directory of Parquet parts), CSV ({@code .csv}, {@code .txt}, also gzipped, or a
 * directory of them) or NumPy ({@code .npy}, with labels in a second {@code .npy}). Every path goes through
 * Hadoop's FileSystem: plain paths, {@code file://}, {@code hdfs://}, {@code s3a://}.
 */
public final class EmbeddingFiles {

    /** The formats {@link #read} understands. */
    public enum Format { PARQUET, CSV, NPY }

    private EmbeddingFiles() {
    }

    /**
     * The rows of {@code uri}, each checked to have the dimension of the first row, read once and kept (the
     * caller may unpersist them). {@code labelsUri} is required for {@code .npy} and refused for the others
     * (their labels are a column). A bad row is reported from the driver, whichever task found it.
     */
    public static JavaRDD<EmbeddingRecord> read(SparkSession spark, String uri, String labelsUri) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Format format = formatOf(jsc, uri);
        if (format == Format.NPY && labelsUri == null) {
            throw new UserInputException(uri + " is a .npy matrix, which has no labels: pass its labels as an "
                    + "integer .npy file too");
        }
        if (format != Format.NPY && labelsUri != null) {
            throw new UserInputException(uri + " is " + format.name().toLowerCase(Locale.ROOT) + ", whose labels are "
                    + "a column; a separate labels file is only for .npy embeddings");
        }
        JavaRDD<EmbeddingRecord> records = switch (format) {
            case PARQUET -> EmbeddingParquet.read(spark, uri);
            case CSV -> CsvEmbeddings.read(jsc, uri);
            case NPY -> NpyEmbeddings.read(jsc, uri, labelsUri);
        };
        JavaRDD<EmbeddingRecord> kept = TaskErrors.computeOnce(records, "embeddings of " + uri);
        requireOneDimension(kept, uri);
        return kept;
    }

    /** What the writer recorded about the vectors: {@code embed}'s Parquet has it, the other formats do not. */
    public static Optional<EmbeddingMetadata> metadata(SparkSession spark, String uri) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        return formatOf(jsc, uri) == Format.PARQUET ? EmbeddingParquet.metadata(spark, uri) : Optional.empty();
    }

    static Format formatOf(JavaSparkContext jsc, String uri) {
        Path path = new Path(uri);
        String name = path.getName().toLowerCase(Locale.ROOT);
        try {
            FileSystem fs = path.getFileSystem(jsc.hadoopConfiguration());
            if (!fs.exists(path)) {
                throw new UserInputException(uri + " does not exist");
            }
            if (fs.getFileStatus(path).isDirectory()) {
                return directoryFormat(fs, path, uri);
            }
        } catch (IOException e) {
            throw new UserInputException("cannot read " + uri + ": " + e.getMessage(), e);
        }
        return byName(name, uri);
    }

    private static Format directoryFormat(FileSystem fs, Path dir, String uri) throws IOException {
        for (FileStatus part : fs.listStatus(dir)) {
            String name = part.getPath().getName().toLowerCase(Locale.ROOT);
            if (part.isFile() && !name.startsWith("_") && !name.startsWith(".")) {
                return byName(name, uri);
            }
        }
        throw new UserInputException(uri + " is a directory without data files");
    }

    private static Format byName(String name, String uri) {
        String bare = name.endsWith(".gz") ? name.substring(0, name.length() - 3) : name;
        if (bare.endsWith(".parquet")) {
            return Format.PARQUET;
        }
        if (bare.endsWith(".csv") || bare.endsWith(".txt")) {
            return Format.CSV;
        }
        if (bare.endsWith(".npy")) {
            return Format.NPY;
        }
        throw new UserInputException("cannot tell the format of " + uri + " from its name; expected .parquet, "
                + ".csv (.txt) or .npy");
    }

    private static void requireOneDimension(JavaRDD<EmbeddingRecord> records, String uri) {
        List<EmbeddingRecord> first = records.take(1);
        if (first.isEmpty()) {
            return;
        }
        int dim = first.get(0).embedding().length;
        records.filter(r -> r.embedding().length != dim).take(1).forEach(r -> VectorChecks.requireLength(
                r.embedding(), dim, "the row with id " + r.id() + " of " + uri));
    }
}
