package dev.proxyanchor.datasets;

import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;

/**
 * Stanford Online Products: {@code Stanford_Online_Products/Ebay_train.txt} and {@code Ebay_test.txt}, each a header
 * line then rows {@code image_id class_id super_class_id path}, paths relative to {@code Stanford_Online_Products/}.
 * As in the official code, label = class_id - 1; the train file trains (classes 0-11317) and the test file evaluates
 * (classes 11318-22633).
 */
public final class StanfordOnlineProducts implements DatasetReader {

    static final int TRAIN_CLASSES = 11318;
    static final int CLASSES = 22634;

    @Override
    public String name() {
        return "SOP";
    }

    @Override
    public DatasetListing list(String root, DatasetOptions options, Configuration conf) {
        DatasetRoot dataset = DatasetRoot.locate(root, "Stanford_Online_Products", "Ebay_train.txt",
                "Stanford Online Products", conf);
        ListedImages listed = new ListedImages();
        List<Sample> samples = new ArrayList<>();
        read(dataset, "Ebay_train.txt", Role.TRAIN, 0, TRAIN_CLASSES, listed, samples);
        read(dataset, "Ebay_test.txt", Role.EVAL, TRAIN_CLASSES, CLASSES, listed, samples);
        listed.requireAllExist(dataset.fs());
        return new DatasetListing(name(), samples, EvalMode.SELF, new int[] {1, 10, 100, 1000});
    }

    private static void read(DatasetRoot dataset, String file, Role role, int firstLabel, int endLabel,
            ListedImages listed, List<Sample> samples) {
        List<String> lines = dataset.readLines(file, "the " + role.key() + " split of Stanford Online Products");
        if (lines.isEmpty()) {
            throw new DatasetException(dataset.resolve(file) + " is empty; expected the header line "
                    + "'image_id class_id super_class_id path' and one line per image.");
        }
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            String where = file + " line " + (i + 1);
            String[] columns = line.split("\\s+");
            if (columns.length != 4) {
                throw new DatasetException(dataset.resolve(file) + " line " + (i + 1) + ": expected 4 columns "
                        + "'image_id class_id super_class_id path', found " + columns.length + ": '" + line + "'.");
            }
            int label = parseClassId(dataset, file, i + 1, columns[1]) - 1;
            if (label < firstLabel || label >= endLabel) {
                throw new DatasetException(dataset.resolve(file) + " line " + (i + 1) + ": class_id " + (label + 1)
                        + " is outside " + (firstLabel + 1) + ".." + endLabel + ", the " + role.key()
                        + " classes of Stanford Online Products.");
            }
            var image = dataset.resolve(columns[3]);
            listed.add(image, where);
            samples.add(new Sample(image.toString(), label, role));
        }
    }

    private static int parseClassId(DatasetRoot dataset, String file, int lineNumber, String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new DatasetException(dataset.resolve(file) + " line " + lineNumber
                    + ": class_id must be an integer, found '" + text + "'.");
        }
    }
}
