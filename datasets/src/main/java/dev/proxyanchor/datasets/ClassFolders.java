package dev.proxyanchor.datasets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * A user's own data, one folder per class: {@code <root>/train/<class>/*} and either {@code <root>/eval/<class>/*}
 * (self-retrieval) or {@code <root>/query/<class>/*} and {@code <root>/gallery/<class>/*}. Training classes are
 * labelled 0..N-1 in sorted folder-name order; evaluation classes follow from N on, sorted, with query and gallery
 * sharing one numbering by folder name.
 */
public final class ClassFolders implements DatasetReader {

    @Override
    public String name() {
        return "folder";
    }

    @Override
    public DatasetListing list(String root, DatasetOptions options, Configuration conf) {
        DatasetRoot dataset = DatasetRoot.at(root, conf);
        boolean hasEval = isFolder(dataset, "eval");
        boolean hasQueryGallery = isFolder(dataset, "query") || isFolder(dataset, "gallery");
        if (hasEval == hasQueryGallery) {
            throw new DatasetException(dataset.dir() + " must hold train/ and either eval/ (self-retrieval) or query/ "
                    + "and gallery/, each with one folder per class; found "
                    + (hasEval ? "both eval/ and query/ or gallery/" : "neither eval/ nor query/ and gallery/") + ".");
        }
        List<Role> evalRoles = hasEval ? List.of(Role.EVAL) : List.of(Role.QUERY, Role.GALLERY);

        Map<String, Path> trainClasses = classesOf(dataset, Role.TRAIN);
        Map<Role, Map<String, Path>> evalClasses = new TreeMap<>();
        TreeSet<String> evalNames = new TreeSet<>();
        for (Role role : evalRoles) {
            evalClasses.put(role, classesOf(dataset, role));
            evalNames.addAll(evalClasses.get(role).keySet());
        }
        Map<String, Integer> evalLabels = new TreeMap<>();
        for (String name : evalNames) {
            evalLabels.put(name, trainClasses.size() + evalLabels.size());
        }

        List<Sample> samples = new ArrayList<>();
        int label = 0;
        for (Path folder : trainClasses.values()) {
            addImages(dataset, folder, label++, Role.TRAIN, samples);
        }
        for (Role role : evalRoles) {
            for (Map.Entry<String, Path> cls : evalClasses.get(role).entrySet()) {
                addImages(dataset, cls.getValue(), evalLabels.get(cls.getKey()), role, samples);
            }
        }
        return new DatasetListing(name(), samples, hasEval ? EvalMode.SELF : EvalMode.QUERY_GALLERY,
                hasEval ? new int[] {1, 2, 4, 8, 16, 32} : new int[] {1, 10, 20, 30, 40, 50});
    }

    private static Map<String, Path> classesOf(DatasetRoot dataset, Role role) {
        Map<String, Path> classes = new TreeMap<>();
        for (Path folder : ImageFolders.classFolders(dataset.fs(), dataset.resolve(role.key()))) {
            classes.put(folder.getName(), folder);
        }
        return classes;
    }

    private static void addImages(DatasetRoot dataset, Path folder, int label, Role role, List<Sample> samples) {
        for (Path image : ImageFolders.imagesOf(dataset.fs(), folder)) {
            samples.add(new Sample(image.toString(), label, role));
        }
    }

    private static boolean isFolder(DatasetRoot dataset, String name) {
        try {
            Path path = dataset.resolve(name);
            return dataset.fs().exists(path) && dataset.fs().getFileStatus(path).isDirectory();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dataset.resolve(name), e);
        }
    }
}
