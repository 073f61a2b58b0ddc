package dev.proxyanchor.spark.io;

import dev.proxyanchor.model.UserInputException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Embeddings in CSV: either {@code label,x1,...,xD} per line without a header, or a header naming {@code label},
 * optionally {@code id}, {@code role} and {@code path}, every other column being a vector component.
 *
 * <p>Read as text lines rather than with Spark SQL's CSV source because the messages for bad rows must name the
 * line, which Spark's CSV reader does not keep. Without an id column a row's id is its line number.
 */
public final class CsvEmbeddings {

    private CsvEmbeddings() {
    }

    public static JavaRDD<EmbeddingRecord> read(JavaSparkContext jsc, String uri) {
        JavaRDD<String> lines = jsc.textFile(uri);
        List<String> first = lines.take(1);
        if (first.isEmpty()) {
            throw new UserInputException(uri + " is empty; expected label,x1,...,xD lines");
        }
        Layout layout = Layout.of(first.get(0), uri);
        return lines.zipWithIndex()
                .filter(t -> !t._1().isBlank() && !(layout.hasHeader && t._1().equals(layout.headerLine)))
                .map(t -> layout.parse(t._1(), t._2() + 1, uri));
    }

    /** Which column holds what, from the header or, without one, the first line. */
    private static final class Layout implements Serializable {
        private static final long serialVersionUID = 1L;

        final boolean hasHeader;
        final String headerLine;
        final int columns;
        final int labelColumn;
        final int idColumn;
        final int roleColumn;
        final int pathColumn;
        final int[] vectorColumns;

        private Layout(boolean hasHeader, String headerLine, int columns, int labelColumn, int idColumn,
                int roleColumn, int pathColumn, int[] vectorColumns) {
            this.hasHeader = hasHeader;
            this.headerLine = headerLine;
            this.columns = columns;
            this.labelColumn = labelColumn;
            this.idColumn = idColumn;
            this.roleColumn = roleColumn;
            this.pathColumn = pathColumn;
            this.vectorColumns = vectorColumns;
        }

        static Layout of(String firstLine, String uri) {
            String[] cells = split(firstLine);
            if (isNumber(cells[0])) {
                if (cells.length < 2) {
                    throw new UserInputException("line 1 of " + uri + " has one column; expected label,x1,...,xD");
                }
                int[] vector = new int[cells.length - 1];
                Arrays.setAll(vector, i -> i + 1);
                return new Layout(false, null, cells.length, 0, -1, -1, -1, vector);
            }
            List<String> names = new ArrayList<>();
            for (String cell : cells) {
                names.add(cell.toLowerCase(Locale.ROOT));
            }
            int label = names.indexOf("label");
            if (label < 0) {
                throw new UserInputException("the header of " + uri + " has no 'label' column (columns: " + names
                        + "); name the label column 'label', or drop the header and put the label first");
            }
            int id = names.indexOf("id");
            int role = names.indexOf("role");
            int path = names.indexOf("path");
            List<Integer> vector = new ArrayList<>();
            for (int c = 0; c < names.size(); c++) {
                if (c != label && c != id && c != role && c != path) {
                    vector.add(c);
                }
            }
            if (vector.isEmpty()) {
                throw new UserInputException("the header of " + uri + " names no vector columns besides " + names);
            }
            return new Layout(true, firstLine, cells.length, label, id, role, path,
                    vector.stream().mapToInt(Integer::intValue).toArray());
        }

        EmbeddingRecord parse(String line, long lineNumber, String uri) {
            String where = "line " + lineNumber + " of " + uri;
            String[] cells = split(line);
            if (cells.length != columns) {
                throw new UserInputException(where + " has " + cells.length + " columns, expected " + columns
                        + (hasHeader ? " (as in the header)" : " (label plus " + (columns - 1)
                        + " embedding values, as on the first line)"));
            }
            int label = parseLabel(cells[labelColumn], where);
            long id = idColumn < 0 ? lineNumber : parseId(cells[idColumn], where);
            float[] vector = new float[vectorColumns.length];
            for (int i = 0; i < vector.length; i++) {
                String cell = cells[vectorColumns[i]];
                try {
                    vector[i] = Float.parseFloat(cell);
                } catch (NumberFormatException e) {
                    throw new UserInputException(where + " has '" + cell + "' in embedding column " + (i + 1)
                            + "; expected a number");
                }
            }
            VectorChecks.requireFinite(vector, where);
            return new EmbeddingRecord(id, pathColumn < 0 ? null : cells[pathColumn], label,
                    roleColumn < 0 ? null : cells[roleColumn].toLowerCase(Locale.ROOT), vector);
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

        private static String[] split(String line) {
            String[] cells = line.split(",", -1);
            for (int i = 0; i < cells.length; i++) {
                String c = cells[i].strip();
                if (c.length() >= 2 && c.startsWith("\"") && c.endsWith("\"")) {
                    c = c.substring(1, c.length() - 1);
                }
                cells[i] = c;
            }
            return cells;
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
