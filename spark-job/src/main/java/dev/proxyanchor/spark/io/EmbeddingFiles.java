package dev.proxyanchor.spark.io;

import dev.proxyanchor.model.UsageException;
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
 * Reads and writes stored embeddings in any {@link EmbeddingFormat}, chosen by the file name: Parquet in the
 * {@code embed} layout ({@code .parquet} or a directory of Parquet parts), CSV ({@code .csv}, {@code .txt}, also
 * gzipped, or a directory of them) or NumPy ({@code .npy}, with labels in a second {@code .npy}). Every path goes
 * through Hadoop's FileSystem: plain paths, {@code file://}, {@code hdfs://}, {@code s3a://}.
 */
public final class EmbeddingFiles {

    private EmbeddingFiles() {
    }

    /**
     * The rows of {@code uri}, each checked to have the dimension of the first row, read once and kept (the
     * caller may unpersist them). {@code labelsUri} is for {@code .npy} only (their labels are a second file:
     * {@code <name>.labels.npy} beside the matrix when not given) and refused for the others (their labels are a
     * column). A bad row is reported from the driver, whichever task found it.
     */
    public static JavaRDD<EmbeddingRecord> read(SparkSession spark, String uri, String labelsUri) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        EmbeddingFormat format = formatOf(jsc, uri);
        if (format != EmbeddingFormat.NPY && labelsUri != null) {
            throw new UsageException(uri + " is " + format.name().toLowerCase(Locale.ROOT) + ", whose labels are "
                    + "a column; a separate labels file is only for .npy embeddings");
        }
        String labels = format == EmbeddingFormat.NPY && labelsUri == null ? labelsBeside(jsc, uri) : labelsUri;
        JavaRDD<EmbeddingRecord> records = format.read(spark, uri, labels);
        JavaRDD<EmbeddingRecord> kept = TaskErrors.computeOnce(records, "embeddings of " + uri);
        requireOneDimension(kept, uri);
        return kept;
    }

    /** What the writer recorded about the vectors: {@code embed}'s Parquet has it, the other formats do not. */
    public static Optional<EmbeddingMetadata> metadata(SparkSession spark, String uri) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        return formatOf(jsc, uri) == EmbeddingFormat.PARQUET ? EmbeddingParquet.metadata(spark, uri) : Optional.empty();
    }

    /**
     * Writes {@code records} to {@code uri} in the format its extension names ({@link EmbeddingFormat#ofOutput});
     * an existing output is replaced only with {@code overwrite}; {@code metadata} is kept where the format has a
     * place for it (Parquet). Single-file formats are streamed through the
     * driver a partition at a time and renamed into place when complete.
     */
    public static void write(SparkSession spark, JavaRDD<EmbeddingRecord> records, EmbeddingMetadata metadata,
            String uri, boolean overwrite) {
        EmbeddingFormat format = EmbeddingFormat.ofOutput(uri);
        format.requireWritable(spark.sparkContext().hadoopConfiguration(), uri, overwrite);
        format.write(spark, records, metadata, uri, overwrite);
    }

    private static String labelsBeside(JavaSparkContext jsc, String uri) {
        String beside = NpyEmbeddings.labelsBeside(uri);
        Path path = new Path(beside);
        try {
            if (path.getFileSystem(jsc.hadoopConfiguration()).exists(path)) {
                return beside;
            }
        } catch (IOException e) {
            throw new UserInputException("cannot read " + beside + ": " + e.getMessage(), e);
        }
        throw new UsageException(uri + " is a .npy matrix, which has no labels: pass its labels as an integer .npy "
                + "file (--labels), or put them beside it as " + beside + " (embed writes them there)");
    }

    static EmbeddingFormat formatOf(JavaSparkContext jsc, String uri) {
        Path path = new Path(uri);
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
        return EmbeddingFormat.ofInputName(path.getName(), uri);
    }

    private static EmbeddingFormat directoryFormat(FileSystem fs, Path dir, String uri) throws IOException {
        for (FileStatus part : fs.listStatus(dir)) {
            String name = part.getPath().getName();
            if (part.isFile() && !name.startsWith("_") && !name.startsWith(".")) {
                return EmbeddingFormat.ofInputName(name, uri);
            }
        }
        throw new UserInputException(uri + " is a directory without data files");
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
