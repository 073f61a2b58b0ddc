package dev.proxyanchor.spark.io;

import dev.proxyanchor.model.UserInputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.SerializableConfiguration;

/**
 * Embeddings as a NumPy float32/float64 matrix {@code (N, D)} with integer labels {@code (N,)} in a second file.
 * The labels are read on the driver; the matrix is read by the executors, each seeking to its own row range, so
 * it never passes through the driver. A row's id is its row index.
 */
public final class NpyEmbeddings {

    private static final int ROWS_PER_SLICE = 8192;
    /** Bytes one task reads at once, whatever the row width. */
    private static final int MAX_SLICE_BYTES = 64 << 20;

    private NpyEmbeddings() {
    }

    public static JavaRDD<EmbeddingRecord> read(JavaSparkContext jsc, String matrixUri, String labelsUri) {
        Configuration hadoop = jsc.hadoopConfiguration();
        Header matrix = header(hadoop, matrixUri);
        long[] shape = matrix.header().shape();
        if (matrix.header().kind() != 'f' || shape.length != 2) {
            throw new UserInputException(matrixUri + " holds a " + matrix.header().describe() + "; expected a "
                    + "float32 or float64 matrix of shape (N, D)");
        }
        matrix.header().requireDataIn(matrix.fileBytes(), matrixUri);
        long rowBytes = shape[1] * matrix.header().itemBytes();
        if (shape[0] > Integer.MAX_VALUE || rowBytes > MAX_SLICE_BYTES) {
            throw new UserInputException(matrixUri + " holds a " + matrix.header().describe() + ": more rows than "
                    + Integer.MAX_VALUE + " or rows wider than " + (MAX_SLICE_BYTES >> 20) + " MiB; split it");
        }
        int rows = (int) shape[0];
        int dim = (int) shape[1];
        int[] labels = labels(hadoop, labelsUri);
        if (labels.length != rows) {
            throw new UserInputException(labelsUri + " has " + labels.length + " labels but " + matrixUri + " has "
                    + rows + " rows; they must match one to one");
        }
        int rowsPerSlice = (int) Math.max(1, Math.min(ROWS_PER_SLICE, MAX_SLICE_BYTES / Math.max(1, rowBytes)));
        List<Slice> slices = new ArrayList<>();
        for (int start = 0; start < rows; start += rowsPerSlice) {
            int end = Math.min(rows, start + rowsPerSlice);
            slices.add(new Slice(start, Arrays.copyOfRange(labels, start, end)));
        }
        SerializableConfiguration conf = new SerializableConfiguration(hadoop);
        NpyHeader header = matrix.header();
        return jsc.parallelize(slices, Math.max(1, slices.size()))
                .flatMap(slice -> slice.read(conf.value(), matrixUri, header, dim).iterator());
    }

    /** {@code <name>.labels.npy} beside {@code <name>.npy}: where {@link #write} puts the labels. */
    public static String labelsBeside(String matrixUri) {
        return base(matrixUri) + ".labels.npy";
    }

    /** {@code <name>.paths.txt} beside {@code <name>.npy}: the image paths, one a line, in row order. */
    public static String pathsBeside(String matrixUri) {
        return base(matrixUri) + ".paths.txt";
    }

    private static String base(String matrixUri) {
        return matrixUri.toLowerCase(java.util.Locale.ROOT).endsWith(".npy")
                ? matrixUri.substring(0, matrixUri.length() - 4) : matrixUri;
    }

    /**
     * Writes the rows as {@code numpy.save} would: a float32 {@code (N, D)} matrix to {@code matrixUri}, the labels
     * as int64 {@code (N,)} to {@link #labelsBeside} and the paths to {@link #pathsBeside}, row {@code i} of each
     * being the {@code i}-th record in RDD order (ids are not kept: a row's id is its index when read back). The
     * rows stream through the driver a partition at a time into temporary files, renamed into place when complete
     * (the matrix last).
     */
    static void write(JavaRDD<EmbeddingRecord> records, String matrixUri, Configuration hadoop) {
        long rows = records.count();
        int dim = rows == 0 ? 0 : records.first().embedding().length;
        Iterator<EmbeddingRecord> it = records.toLocalIterator();
        try (SingleFileOutput matrix = SingleFileOutput.create(hadoop, matrixUri);
                SingleFileOutput labels = SingleFileOutput.create(hadoop, labelsBeside(matrixUri));
                SingleFileOutput paths = SingleFileOutput.create(hadoop, pathsBeside(matrixUri))) {
            NpyHeader.write(matrix.stream(), "<f4", rows, dim);
            NpyHeader.write(labels.stream(), "<i8", rows);
            Writer pathLines = new OutputStreamWriter(paths.stream(), StandardCharsets.UTF_8);
            ByteBuffer row = ByteBuffer.allocate(dim * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            ByteBuffer label = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            long written = 0;
            while (it.hasNext()) {
                EmbeddingRecord r = it.next();
                VectorChecks.requireLength(r.embedding(), dim, "the row with id " + r.id());
                row.clear();
                row.asFloatBuffer().put(r.embedding());
                matrix.stream().write(row.array());
                labels.stream().write(label.putLong(0, r.label()).array());
                String path = r.path() == null ? "" : r.path();
                if (path.indexOf('\n') >= 0 || path.indexOf('\r') >= 0) {
                    throw new UserInputException("the image path '" + path + "' holds a line break, which "
                            + pathsBeside(matrixUri) + " (one path a line) cannot; write .csv or .parquet instead");
                }
                pathLines.write(path + "\n");
                written++;
            }
            if (written != rows) {
                throw new IllegalStateException("counted " + rows + " rows but wrote " + written);
            }
            pathLines.flush();
            labels.commit();
            paths.commit();
            matrix.commit();
        } catch (IOException e) {
            throw new UserInputException("cannot write " + matrixUri + ": " + e.getMessage(), e);
        }
    }

    /** Integer labels {@code (N,)} or {@code (N, 1)}. */
    public static int[] labels(Configuration hadoop, String uri) {
        Header file = header(hadoop, uri);
        NpyHeader header = file.header();
        long[] shape = header.shape();
        boolean column = shape.length == 1 || (shape.length == 2 && shape[1] == 1);
        if (header.kind() == 'f' || !column) {
            throw new UserInputException(uri + " holds a " + header.describe() + "; labels must be an integer "
                    + "array of shape (N,)");
        }
        long bytesNeeded = header.requireDataIn(file.fileBytes(), uri);
        if (bytesNeeded > Integer.MAX_VALUE - 16) {
            throw new UserInputException(uri + " holds " + shape[0] + " labels, more than one array can hold");
        }
        int n = (int) shape[0];
        ByteBuffer bytes = ByteBuffer.allocate((int) bytesNeeded).order(header.byteOrder());
        try (FSDataInputStream in = open(hadoop, uri)) {
            in.readFully(header.dataOffset(), bytes.array());
        } catch (IOException e) {
            throw new UserInputException("cannot read " + uri + ": " + e.getMessage(), e);
        }
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            long value = switch (header.itemBytes()) {
                case 1 -> header.kind() == 'u' ? Byte.toUnsignedInt(bytes.get()) : bytes.get();
                case 2 -> header.kind() == 'u' ? Short.toUnsignedInt(bytes.getShort()) : bytes.getShort();
                case 4 -> header.kind() == 'u' ? Integer.toUnsignedLong(bytes.getInt()) : bytes.getInt();
                default -> bytes.getLong();
            };
            if (value != (int) value || (header.kind() == 'u' && header.itemBytes() == 8 && value < 0)) {
                throw new UserInputException("row " + i + " of " + uri + " has the label " + value
                        + ", outside the int range");
            }
            labels[i] = (int) value;
        }
        return labels;
    }

    /** A file's .npy header and its length in bytes. */
    record Header(NpyHeader header, long fileBytes) {
    }

    static Header header(Configuration hadoop, String uri) {
        Path path = new Path(uri);
        try (InputStream in = open(hadoop, uri)) {
            long length = path.getFileSystem(hadoop).getFileStatus(path).getLen();
            return new Header(NpyHeader.read(in, length, uri), length);
        } catch (IOException e) {
            throw new UserInputException("cannot read the .npy header of " + uri + ": " + e.getMessage(), e);
        }
    }

    private static FSDataInputStream open(Configuration hadoop, String uri) throws IOException {
        Path path = new Path(uri);
        FileSystem fs = path.getFileSystem(hadoop);
        if (!fs.exists(path)) {
            throw new UserInputException(uri + " does not exist");
        }
        return fs.open(path);
    }


    /** Rows {@code [start, start + labels.length)} of the matrix, read by one task. */
    private static final class Slice implements Serializable {
        private static final long serialVersionUID = 1L;
        private final int start;
        private final int[] labels;

        Slice(int start, int[] labels) {
            this.start = start;
            this.labels = labels;
        }

        List<EmbeddingRecord> read(Configuration hadoop, String uri, NpyHeader header, int dim) throws IOException {
            int rows = labels.length;
            int rowBytes = dim * header.itemBytes();
            // The driver sized slices to MAX_SLICE_BYTES and checked the file holds them.
            ByteBuffer bytes = ByteBuffer.allocate(rows * rowBytes).order(header.byteOrder());
            try (FSDataInputStream in = open(hadoop, uri)) {
                in.readFully(header.dataOffset() + (long) start * rowBytes, bytes.array());
            }
            List<EmbeddingRecord> records = new ArrayList<>(rows);
            for (int r = 0; r < rows; r++) {
                float[] vector = new float[dim];
                for (int i = 0; i < dim; i++) {
                    vector[i] = header.itemBytes() == 4 ? bytes.getFloat() : (float) bytes.getDouble();
                }
                VectorChecks.requireFinite(vector, "row " + (start + r) + " of " + uri);
                records.add(new EmbeddingRecord(start + r, null, labels[r], null, vector));
            }
            return records;
        }
    }
}
