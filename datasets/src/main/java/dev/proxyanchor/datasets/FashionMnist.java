package dev.proxyanchor.datasets;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Fashion-MNIST as a zero-shot retrieval benchmark: training images of classes 0-4 train (5 proxies), test images
 * of classes 5-9 are evaluated by self-retrieval; with {@code --eval-seen}, the test images of classes 0-4 form a
 * second evaluation set. Reads the four idx files (gzipped or not) of the root, by default Debian's
 * {@code dataset-fashion-mnist} package folder.
 */
public final class FashionMnist implements DatasetReader {

    public static final String NAME = "fmnist";
    public static final String DEFAULT_ROOT = "/usr/share/datasets/fashion-mnist";
    public static final int SEEN_CLASSES = 5;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String defaultRoot() {
        return DEFAULT_ROOT;
    }

    @Override
    public DatasetListing list(String root, DatasetOptions options, Configuration conf) {
        String trainImages = find(root, "train-images-idx3-ubyte", conf);
        String trainLabels = find(root, "train-labels-idx1-ubyte", conf);
        String testImages = find(root, "t10k-images-idx3-ubyte", conf);
        String testLabels = find(root, "t10k-labels-idx1-ubyte", conf);

        List<Sample> samples = new ArrayList<>();
        int[] train = IdxFiles.readLabels(trainLabels, conf);
        for (int i = 0; i < train.length; i++) {
            check(train[i], trainLabels, i);
            if (train[i] < SEEN_CLASSES) {
                samples.add(new Sample(trainImages + "#" + i, train[i], Role.TRAIN));
            }
        }
        int[] test = IdxFiles.readLabels(testLabels, conf);
        for (int i = 0; i < test.length; i++) {
            check(test[i], testLabels, i);
            if (test[i] >= SEEN_CLASSES) {
                samples.add(new Sample(testImages + "#" + i, test[i], Role.EVAL));
            } else if (options.evalSeen()) {
                samples.add(new Sample(testImages + "#" + i, test[i], Role.EVAL_SEEN));
            }
        }
        return new DatasetListing(NAME, samples, SEEN_CLASSES, EvalMode.SELF, new int[] {1, 2, 4, 8, 16, 32});
    }

    private static void check(int label, String file, int index) {
        if (label > 9) {
            throw new DatasetException(file + ": label " + label + " of record " + index
                    + " is outside Fashion-MNIST's classes 0-9");
        }
    }

    /** The file {@code base} or {@code base.gz} under root, as a qualified URI. */
    private static String find(String root, String base, Configuration conf) {
        try {
            Path dir = new Path(root);
            FileSystem fs = dir.getFileSystem(conf);
            if (!fs.exists(dir)) {
                throw new DatasetException("Fashion-MNIST root " + root + " does not exist; on Debian run "
                        + "submit/setup-debian.sh (package dataset-fashion-mnist) or pass --data-root");
            }
            for (String name : new String[] {base + ".gz", base}) {
                Path p = new Path(dir, name);
                if (fs.exists(p)) {
                    return fs.makeQualified(p).toString();
                }
            }
            throw new DatasetException("Fashion-MNIST root " + root + " has no " + base + ".gz (nor " + base
                    + "); expected the four idx files train-images-idx3-ubyte, train-labels-idx1-ubyte, "
                    + "t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte");
        } catch (IOException e) {
            throw new DatasetException("cannot list Fashion-MNIST root " + root + ": " + e.getMessage(), e);
        }
    }
}
