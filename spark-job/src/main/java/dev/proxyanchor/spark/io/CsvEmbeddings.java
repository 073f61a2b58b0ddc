package dev.proxyanchor.spark.io;

import com.univocity.parsers.common.TextParsingException;
import com.univocity.parsers.csv.CsvParser;
import com.univocity.parsers.csv.CsvParserSettings;
import dev.proxyanchor.model.UserInputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.Serializable;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.SerializableConfiguration;
import org.apache.spark.util.TaskCompletionListener;

/**
 * Embeddings in CSV (RFC 4180: quoted fields, doubled quotes, line breaks inside quotes; UTF-8, with or without a
 * byte-order mark; gzipped when the name says so; lines starting with {@code #} are comments, as
 * {@code numpy.savetxt} writes its header). Either {@code label,x1,...,xD} per line without a header, or a header
 * naming {@code label}, optionally {@code id}, {@code role} and {@code path}, every other column being a vector
 * component. An unnamed first column (the index {@code pandas.DataFrame.to_csv} writes by default) is the id when
 * there is no {@code id} column; any other unnamed column is refused rather than read as a component. Without an id
 * column a row's id is its line number (plus the file's position times 2^32 in a directory of several files).
 *
 * <p>Parsed by univocity, the parser behind Spark's own CSV source (on every Spark class path), one Spark task per
 * file rather than with Spark's CSV source: messages for bad rows name the file and line, which Spark's reader
 * does not keep, and a quoted field may span lines, which no split point inside a file can know. Files are read in
 * name order.
 */
public final class CsvEmbeddings {

    /** Columns per row and characters per field the parser accepts: memory per row is bounded by the file's. */
    static final int MAX_COLUMNS = 1 << 16;
    static final int MAX_CHARS_PER_FIELD = 1 << 16;

    private CsvEmbeddings() {
    }

    public static JavaRDD<EmbeddingRecord> read(JavaSparkContext jsc, String uri) {
        List<String> files = files(jsc.hadoopConfiguration(), uri);
        List<Integer> indices = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            indices.add(i);
        }
        SerializableConfiguration conf = new SerializableConfiguration(jsc.hadoopConfiguration());
        return jsc.parallelize(indices, files.size())
                .flatMap(i -> rows(conf.value(), files.get(i), (long) i << 32));
    }

    /** The rows of one CSV file, parsed as they are iterated; ids without an id column are idBase + line. */
    static Iterator<EmbeddingRecord> rows(Configuration hadoop, String file, long idBase) throws IOException {
        return new FileRows(hadoop, file, idBase);
    }

    /**
     * Writes one CSV file, {@code id,path,label,role,e0,...,e{D-1}}, the path always quoted (RFC 4180: inner
     * quotes doubled), values as Java's shortest float text, which reads back to the same float. The rows stream
     * through the driver a partition at a time, in their RDD order, into a temporary file renamed into place.
     */
    static void write(JavaRDD<EmbeddingRecord> records, String uri, Configuration hadoop) {
        Iterator<EmbeddingRecord> rows = records.toLocalIterator();
        try (SingleFileOutput file = SingleFileOutput.create(hadoop, uri)) {
            Writer out = new OutputStreamWriter(file.stream(), StandardCharsets.UTF_8);
            int dim = -1;
            StringBuilder line = new StringBuilder();
            while (rows.hasNext()) {
                EmbeddingRecord r = rows.next();
                if (dim < 0) {
                    dim = r.embedding().length;
                    out.write(header(dim));
                }
                VectorChecks.requireLength(r.embedding(), dim, "the row with id " + r.id());
                line.setLength(0);
                line.append(r.id()).append(',');
                if (r.path() != null) {
                    line.append('"').append(r.path().replace("\"", "\"\"")).append('"');
                }
                line.append(',').append(r.label()).append(',').append(r.role() == null ? "" : r.role());
                for (float v : r.embedding()) {
                    line.append(',').append(v);
                }
                out.write(line.append('\n').toString());
            }
            if (dim < 0) {
                out.write(header(0));
            }
            out.flush();
            file.commit();
        } catch (IOException e) {
            throw new UserInputException("cannot write " + uri + ": " + e.getMessage(), e);
        }
    }

    private static String header(int dim) {
        StringBuilder header = new StringBuilder("id,path,label,role");
        for (int i = 0; i < dim; i++) {
            header.append(",e").append(i);
        }
        return header.append('\n').toString();
    }

    /** The file itself, or the data files of a directory (not {@code _SUCCESS}, not hidden), by name. */
    private static List<String> files(Configuration hadoop, String uri) {
        Path path = new Path(uri);
        try {
            FileSystem fs = path.getFileSystem(hadoop);
            if (!fs.getFileStatus(path).isDirectory()) {
                return List.of(uri);
            }
            List<String> files = Arrays.stream(fs.listStatus(path)).filter(FileStatus::isFile)
                    .map(FileStatus::getPath)
                    .filter(p -> !p.getName().startsWith("_") && !p.getName().startsWith("."))
                    .sorted(Comparator.comparing(Path::getName)).map(Path::toString).toList();
            if (files.isEmpty()) {
                throw new UserInputException(uri + " is a directory without data files");
            }
            return files;
        } catch (IOException e) {
            throw new UserInputException("cannot read " + uri + ": " + e.getMessage(), e);
        }
    }

    /** The rows of one file, parsed as they are iterated; the stream closes with the task. */
    private static final class FileRows implements Iterator<EmbeddingRecord> {
        private final String file;
        private final long idBase;
        private final CsvParser parser;
        private final Layout layout;
        private String[] next;
        private long line;

        FileRows(Configuration hadoop, String file, long idBase) throws IOException {
            this.file = file;
            this.idBase = idBase;
            CsvParserSettings settings = new CsvParserSettings();
            settings.setMaxColumns(MAX_COLUMNS);
            settings.setMaxCharsPerColumn(MAX_CHARS_PER_FIELD);
            settings.setLineSeparatorDetectionEnabled(true);
            settings.setErrorContentLength(0);
            this.parser = new CsvParser(settings);
            parser.beginParsing(open(hadoop, file), StandardCharsets.UTF_8);
            TaskContext task = TaskContext.get();
            if (task != null) {
                task.addTaskCompletionListener((TaskCompletionListener) done -> parser.stopParsing());
            }
            advance();
            if (next == null) {
                throw new UserInputException(file + " is empty; expected label,x1,...,xD lines");
            }
            this.layout = Layout.of(next, file);
            if (layout.hasHeader) {
                advance();
            }
        }

        private static InputStream open(Configuration hadoop, String file) throws IOException {
            Path path = new Path(file);
            FileSystem fs = path.getFileSystem(hadoop);
            if (!fs.exists(path)) {
                throw new UserInputException(file + " does not exist");
            }
            InputStream raw = fs.open(path);
            CompressionCodec codec = new CompressionCodecFactory(hadoop).getCodec(path);
            return codec == null ? raw : codec.createInputStream(raw);
        }

        private void advance() {
            long before = parser.getContext().currentLine();
            try {
                next = parser.parseNext();
            } catch (TextParsingException e) {
                throw new UserInputException("line " + (before + 1) + " of " + file + " " + tooLong(e));
            }
            line = parser.getContext().currentLine();
        }

        private static String tooLong(TextParsingException e) {
            String what = String.valueOf(e.getMessage());
            return !what.contains("maximum number of characters")
                    ? "has more than " + MAX_COLUMNS + " columns; embeddings that wide do not fit this reader: "
                            + "write them as .npy or Parquet"
                    : "has a field longer than " + MAX_CHARS_PER_FIELD + " characters (an unclosed quote?)";
        }

        @Override
        public boolean hasNext() {
            return next != null;
        }

        @Override
        public EmbeddingRecord next() {
            if (next == null) {
                throw new NoSuchElementException();
            }
            EmbeddingRecord record = layout.parse(next, line, idBase, file);
            advance();
            return record;
        }
    }

    /** Which column holds what, from the header or, without one, the first row. */
    private static final class Layout implements Serializable {
        private static final long serialVersionUID = 1L;

        final boolean hasHeader;
        final int columns;
        final int labelColumn;
        final int idColumn;
        final int roleColumn;
        final int pathColumn;
        final int[] vectorColumns;

        private Layout(boolean hasHeader, int columns, int labelColumn, int idColumn, int roleColumn,
                int pathColumn, int[] vectorColumns) {
            this.hasHeader = hasHeader;
            this.columns = columns;
            this.labelColumn = labelColumn;
            this.idColumn = idColumn;
            this.roleColumn = roleColumn;
            this.pathColumn = pathColumn;
            this.vectorColumns = vectorColumns;
        }

        static Layout of(String[] first, String file) {
            if (isNumber(cell(first, 0))) {
                if (first.length < 2) {
                    throw new UserInputException("line 1 of " + file + " has one column; expected label,x1,...,xD");
                }
                int[] vector = new int[first.length - 1];
                Arrays.setAll(vector, i -> i + 1);
                return new Layout(false, first.length, 0, -1, -1, -1, vector);
            }
            List<String> names = new ArrayList<>();
            for (int c = 0; c < first.length; c++) {
                names.add(cell(first, c).toLowerCase(Locale.ROOT));
            }
            int label = uniqueColumn(names, "label", file);
            if (label < 0) {
                throw new UserInputException("the header of " + file + " has no 'label' column (columns: " + names
                        + "); name the label column 'label', or drop the header and put the label first");
            }
            int id = uniqueColumn(names, "id", file);
            int role = uniqueColumn(names, "role", file);
            int path = uniqueColumn(names, "path", file);
            for (int c = 0; c < names.size(); c++) {
                if (names.get(c).isEmpty()) {
                    if (c == 0 && id < 0) {
                        // pandas' to_csv writes its index as an unnamed first column: the row ids.
                        id = 0;
                    } else {
                        throw new UserInputException("column " + (c + 1) + " of the header of " + file + " has no "
                                + "name; every column besides label, id, role and path is read as an embedding "
                                + "value, so name it or drop it (pandas: to_csv(..., index=False))");
                    }
                }
            }
            List<Integer> vector = new ArrayList<>();
            for (int c = 0; c < names.size(); c++) {
                if (c != label && c != id && c != role && c != path) {
                    vector.add(c);
                }
            }
            if (vector.isEmpty()) {
                throw new UserInputException("the header of " + file + " names no vector columns besides " + names);
            }
            return new Layout(true, first.length, label, id, role, path,
                    vector.stream().mapToInt(Integer::intValue).toArray());
        }

        private static int uniqueColumn(List<String> names, String name, String file) {
            int at = names.indexOf(name);
            if (at != names.lastIndexOf(name)) {
                throw new UserInputException("the header of " + file + " has two '" + name + "' columns ("
                        + (at + 1) + " and " + (names.lastIndexOf(name) + 1) + "); keep one");
            }
            return at;
        }

        EmbeddingRecord parse(String[] cells, long line, long idBase, String file) {
            String where = "line " + line + " of " + file;
            if (cells.length != columns) {
                throw new UserInputException(where + " has " + cells.length + " columns, expected " + columns
                        + (hasHeader ? " (as in the header)" : " (label plus " + (columns - 1)
                        + " embedding values, as on the first line)"));
            }
            int label = parseLabel(cell(cells, labelColumn), where);
            long id = idColumn < 0 ? idBase + line : parseId(cell(cells, idColumn), where);
            float[] vector = new float[vectorColumns.length];
            for (int i = 0; i < vector.length; i++) {
                String cell = cell(cells, vectorColumns[i]);
                try {
                    vector[i] = Float.parseFloat(cell);
                } catch (NumberFormatException e) {
                    throw new UserInputException(where + " has '" + cell + "' in embedding column " + (i + 1)
                            + "; expected a number");
                }
            }
            VectorChecks.requireFinite(vector, where);
            String role = roleColumn < 0 ? "" : cell(cells, roleColumn).toLowerCase(Locale.ROOT);
            return new EmbeddingRecord(id, pathColumn < 0 ? null : cells[pathColumn], label,
                    role.isEmpty() ? null : role, vector);
        }

        private static String cell(String[] cells, int column) {
            return cells[column] == null ? "" : cells[column].strip();
        }

        private static int parseLabel(String cell, String where) {
            try {
                return Integer.parseInt(cell);
            } catch (NumberFormatException e) {
                throw new UserInputException(where + " has the label '" + cell + "'; labels must be integers");
            }
        }

        private static long parseId(String cell, String where) {
            try {
                return Long.parseLong(cell);
            } catch (NumberFormatException e) {
                throw new UserInputException(where + " has the id '" + cell + "'; ids must be integers");
            }
        }

        private static boolean isNumber(String cell) {
            try {
                Double.parseDouble(cell);
                return true;
            } catch (NumberFormatException e) {
                return false;
            }
        }
    }
}
