package dev.proxyanchor.datasets;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The image files an annotation file names, checked against the file system. Each folder is listed once and the
 * names compared, because one {@code exists} call per image takes minutes for 120k images on HDFS or S3.
 */
final class ListedImages {

    private static final int EXAMPLES_SHOWN = 5;

    /** Folder -> file name -> where it was listed ("Ebay_train.txt line 12"). */
    private final Map<Path, Map<String, String>> byFolder = new LinkedHashMap<>();
    private int count;

    /** Records an image; {@code where} names the annotation file and line that listed it. */
    void add(Path image, String where) {
        byFolder.computeIfAbsent(image.getParent(), p -> new LinkedHashMap<>()).put(image.getName(), where);
        count++;
    }

    /** Fails with the first few missing images and where they were listed, when any listed image is not a file. */
    void requireAllExist(FileSystem fs) {
        List<String> missing = new ArrayList<>();
        int missingCount = 0;
        for (Map.Entry<Path, Map<String, String>> folder : byFolder.entrySet()) {
            Set<String> present = filesIn(fs, folder.getKey());
            for (Map.Entry<String, String> image : folder.getValue().entrySet()) {
                if (!present.contains(image.getKey())) {
                    missingCount++;
                    if (missing.size() < EXAMPLES_SHOWN) {
                        missing.add(new Path(folder.getKey(), image.getKey()) + " (" + image.getValue() + ")");
                    }
                }
            }
        }
        if (missingCount > 0) {
            throw new DatasetException(missingCount + " of " + count + " listed images do not exist, e.g. "
                    + String.join(", ", missing) + ". Check that the dataset was extracted completely.");
        }
    }

    private static Set<String> filesIn(FileSystem fs, Path folder) {
        Set<String> names = new HashSet<>();
        try {
            for (FileStatus status : fs.listStatus(folder)) {
                if (status.isFile()) {
                    names.add(status.getPath().getName());
                }
            }
        } catch (FileNotFoundException e) {
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + folder, e);
        }
        return names;
    }
}
