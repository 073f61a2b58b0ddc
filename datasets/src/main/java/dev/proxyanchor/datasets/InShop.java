package dev.proxyanchor.datasets;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * In-shop Clothes Retrieval: {@code Inshop_Clothes/Eval/list_eval_partition.txt}, whose line 1 is the image count,
 * line 2 the header {@code image_name item_id evaluation_status}, then one row per image (paths relative to
 * {@code Inshop_Clothes/}). As in the official code, rows split by status {@code train} / {@code query} /
 * {@code gallery}; train item ids ({@code id_00000001}) map to 0..N-1 in numeric order, and query and gallery share
 * one such mapping over their union.
 */
public final class InShop implements DatasetReader {

    static final String PARTITION_FILE = "Eval/list_eval_partition.txt";

    private record Row(Path image, int itemId, Role role, String where) {}

    @Override
    public String name() {
        return "Inshop";
    }

    @Override
    public DatasetListing list(String root, DatasetOptions options, Configuration conf) {
        DatasetRoot dataset = DatasetRoot.locate(root, "Inshop_Clothes", PARTITION_FILE, "In-shop Clothes", conf);
        List<Row> rows = readRows(dataset);
        ListedImages listed = new ListedImages();
        rows.forEach(r -> listed.add(r.image(), r.where()));
        listed.requireAllExist(dataset.fs());

        List<Integer> trainIds = sortedIds(rows, true);
        List<Integer> testIds = sortedIds(rows, false);
        List<Sample> samples = new ArrayList<>();
        for (Role role : List.of(Role.TRAIN, Role.QUERY, Role.GALLERY)) {
            List<Integer> ids = role == Role.TRAIN ? trainIds : testIds;
            for (Row row : rows) {
                if (row.role() == role) {
                    int label = Collections.binarySearch(ids, row.itemId());
                    samples.add(new Sample(row.image().toString(), label, role));
                }
            }
        }
        return new DatasetListing(name(), samples, EvalMode.QUERY_GALLERY, new int[] {1, 10, 20, 30, 40, 50});
    }

    private static List<Integer> sortedIds(List<Row> rows, boolean train) {
        TreeSet<Integer> ids = new TreeSet<>();
        rows.stream().filter(r -> (r.role() == Role.TRAIN) == train).forEach(r -> ids.add(r.itemId()));
        return List.copyOf(ids);
    }

    private static List<Row> readRows(DatasetRoot dataset) {
        Path file = dataset.resolve(PARTITION_FILE);
        List<String> lines = dataset.readLines(PARTITION_FILE, "the In-shop train/query/gallery partition");
        if (lines.size() < 2) {
            throw new DatasetException(file + " has " + lines.size() + " lines; expected the image count on line 1, "
                    + "the header 'image_name item_id evaluation_status' on line 2, then one line per image.");
        }
        int declared = parseInt(lines.get(0).strip(), file, 1, "the image count");
        List<Row> rows = new ArrayList<>();
        for (int i = 2; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (!line.isEmpty()) {
                rows.add(parseRow(dataset, file, i + 1, line));
            }
        }
        if (rows.size() != declared) {
            throw new DatasetException(file + ": line 1 declares " + declared + " images but " + rows.size()
                    + " image lines follow; the file is truncated or edited.");
        }
        return rows;
    }

    private static Row parseRow(DatasetRoot dataset, Path file, int lineNumber, String line) {
        String[] columns = line.split("\\s+");
        if (columns.length != 3) {
            throw new DatasetException(file + " line " + lineNumber + ": expected 3 columns 'image_name item_id "
                    + "evaluation_status', found " + columns.length + ": '" + line + "'.");
        }
        String item = columns[1];
        int underscore = item.lastIndexOf('_');
        int itemId = parseInt(item.substring(underscore + 1), file, lineNumber, "an item id like id_00000001");
        Role role = switch (columns[2]) {
            case "train" -> Role.TRAIN;
            case "query" -> Role.QUERY;
            case "gallery" -> Role.GALLERY;
            default -> throw new DatasetException(file + " line " + lineNumber + ": evaluation_status must be "
                    + "train, query or gallery, found '" + columns[2] + "'.");
        };
        return new Row(dataset.resolve(columns[0]), itemId, role, PARTITION_FILE + " line " + lineNumber);
    }

    private static int parseInt(String text, Path file, int lineNumber, String expected) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new DatasetException(file + " line " + lineNumber + ": expected " + expected + ", found '"
                    + text + "'.");
        }
    }
}
