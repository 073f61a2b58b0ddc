package dev.proxyanchor.datasets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * Fashion-MNIST as a zero-shot retrieval benchmark: training images of classes 0-4 train, test images of classes 5-9
 * evaluate (labels kept). With {@link DatasetOptions#evalSeen()}, test images of classes 0-4 form a second
 * evaluation set ({@link Role#EVAL_SEEN}). Reads the four idx files ({@code .gz} or not) of the root folder; Debian's
 * {@code dataset-fashion-mnist} package installs them in {@value #DEBIAN_ROOT}.
 */
public final class FashionMnist implements DatasetReader {

    static final String DEBIAN_ROOT = "/usr/share/datasets/fashion-mnist";
    static final int CLASSES = 10;
    static final int TRAIN_CLASSES = 5;

    @Override
    public String name() {
        return "fmnist";
    }

    @Override
    public String defaultRoot() {
        return DEBIAN_ROOT;
    }

    @Override
    public DatasetListing list(String root, DatasetOptions options, Configuration conf) {
        DatasetRoot dataset = DatasetRoot.at(root, conf);
        List<Sample> samples = new ArrayList<>();
        addSplit(dataset, "train", samples, label -> label < TRAIN_CLASSES ? Role.TRAIN : null);
        addSplit(dataset, "t10k", samples, label -> label >= TRAIN_CLASSES ? Role.EVAL
                : options.evalSeen() ? Role.EVAL_SEEN : null);
        return new DatasetListing(name(), samples, EvalMode.SELF, new int[] {1, 2, 4, 8, 16, 32});
    }

    private interface RoleOfLabel {
        /** The role of an image with this label, or null to leave it out. */
        Role roleOf(int label);
    }

    private static void addSplit(DatasetRoot dataset, String split, List<Sample> samples, RoleOfLabel rule) {
        Path imagesFile = find(dataset, split + "-images-idx3-ubyte");
        Path labelsFile = find(dataset, split + "-labels-idx1-ubyte");
        IdxFile images = IdxFile.readHeader(dataset.fs(), imagesFile, 3);
        IdxFile labels = IdxFile.read(dataset.fs(), labelsFile, 1);
        if (images.count() != labels.count()) {
            throw new DatasetException(imagesFile + " holds " + images.count() + " images but " + labelsFile
                    + " holds " + labels.count() + " labels; they must match.");
        }
        IdxFile.checkComplete(dataset.fs(), imagesFile, 3);
        List<Sample> ofRole = new ArrayList<>();
        for (int i = 0; i < labels.count(); i++) {
            int label = labels.data()[i] & 0xFF;
            if (label >= CLASSES) {
                throw new DatasetException(labelsFile + " label " + i + " is " + label + "; Fashion-MNIST labels are "
                        + "0.." + (CLASSES - 1) + ".");
            }
            Role role = rule.roleOf(label);
            if (role != null) {
                ofRole.add(new Sample(new IdxEntry(imagesFile.toString(), i).uri(), label, role));
            }
        }
        // Train before eval before eval_seen, whatever order the file interleaves them in.
        ofRole.stream().sorted(Comparator.comparing(Sample::role)).forEach(samples::add);
    }

    private static Path find(DatasetRoot dataset, String baseName) {
        for (String name : List.of(baseName + ".gz", baseName)) {
            Path file = dataset.resolve(name);
            try {
                if (dataset.fs().exists(file)) {
                    return file;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }
        throw new DatasetException("missing file " + dataset.resolve(baseName + ".gz") + " (a Fashion-MNIST idx "
                + "file); expected train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz "
                + "and t10k-labels-idx1-ubyte.gz in " + dataset.dir() + ". On Debian, submit/setup-debian.sh installs "
                + "them in " + DEBIAN_ROOT + ".");
    }
}
