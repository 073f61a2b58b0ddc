package dev.proxyanchor.datasets;

import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * CUB-200-2011: {@code CUB_200_2011/images/<class folder>/*.jpg}. As in the official code, the classes are the
 * sorted class folders; classes 0-99 train and 100-199 evaluate, and evaluation labels keep 100-199.
 */
public final class Cub200 implements DatasetReader {

    static final int CLASSES = 200;
    static final int TRAIN_CLASSES = 100;

    @Override
    public String name() {
        return "cub";
    }

    @Override
    public DatasetListing list(String root, DatasetOptions options, Configuration conf) {
        DatasetRoot dataset = DatasetRoot.locate(root, "CUB_200_2011", "images", "CUB-200-2011", conf);
        Path images = dataset.resolve("images");
        List<Path> classes = ImageFolders.classFolders(dataset.fs(), images);
        if (classes.size() != CLASSES) {
            throw new DatasetException(images + " has " + classes.size() + " class folders; CUB-200-2011 has "
                    + CLASSES + " (001.Black_footed_Albatross ... 200.Common_Yellowthroat).");
        }
        List<Sample> samples = new ArrayList<>();
        for (int label = 0; label < CLASSES; label++) {
            Role role = label < TRAIN_CLASSES ? Role.TRAIN : Role.EVAL;
            for (Path image : ImageFolders.imagesOf(dataset.fs(), classes.get(label))) {
                samples.add(new Sample(image.toString(), label, role));
            }
        }
        return new DatasetListing(name(), samples, EvalMode.SELF, new int[] {1, 2, 4, 8, 16, 32});
    }
}
