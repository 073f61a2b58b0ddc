package dev.proxyanchor.datasets;

import org.apache.hadoop.conf.Configuration;

/** Lists a dataset's samples from its root folder (any Hadoop URI) with the official split rule. */
public interface DatasetReader {

    /** The name users type for {@code --dataset}. */
    String name();

    /** The root used when {@code --data-root} is not given, or null when there is none. */
    default String defaultRoot() {
        return null;
    }

    DatasetListing list(String root, DatasetOptions options, Configuration conf);
}
