package dev.proxyanchor.datasets;

import org.apache.hadoop.conf.Configuration;

/** Turns a dataset root folder (any Hadoop URI or local path) into its samples, with the dataset's split rules. */
public interface DatasetReader {

    /** The name users type for {@code --dataset}, e.g. {@code cub}. */
    String name();

    /**
     * Lists every sample of the dataset and checks that every listed image exists.
     *
     * @param root the folder that contains the dataset's folder (e.g. the parent of {@code CUB_200_2011/}) or that
     *     folder itself
     * @throws DatasetException when the layout, an annotation file or an image is not as the dataset defines it
     */
    DatasetListing list(String root, DatasetOptions options, Configuration conf);

    /** The root used when the user gives none, or null when the dataset has no standard location. */
    default String defaultRoot() {
        return null;
    }
}
