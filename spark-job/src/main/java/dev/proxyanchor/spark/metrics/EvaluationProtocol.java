package dev.proxyanchor.spark.metrics;

import dev.proxyanchor.model.UsageException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How each benchmark is evaluated in the Proxy-Anchor paper and code: its Recall@K list and whether queries
 * search each other (self retrieval) or a separate gallery. Looked up by the dataset names users type.
 */
public enum EvaluationProtocol {
    CUB("cub", false, 1, 2, 4, 8, 16, 32),
    CARS("cars", false, 1, 2, 4, 8, 16, 32),
    SOP("SOP", false, 1, 10, 100, 1000),
    INSHOP("Inshop", true, 1, 10, 20, 30, 40, 50),
    FMNIST("fmnist", false, 1, 2, 4, 8, 16, 32);

    private final String datasetName;
    private final boolean queryGallery;
    private final int[] recallK;

    EvaluationProtocol(String datasetName, boolean queryGallery, int... recallK) {
        this.datasetName = datasetName;
        this.queryGallery = queryGallery;
        this.recallK = recallK;
    }

    /** Case-insensitive lookup by dataset name ({@code cub}, {@code cars}, {@code SOP}, ...). */
    public static EvaluationProtocol forDataset(String name) {
        for (EvaluationProtocol p : values()) {
            if (p.datasetName.toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
                return p;
            }
        }
        throw new UsageException("unknown dataset '" + name + "'; known: " + Arrays.stream(values())
                .map(p -> p.datasetName).collect(Collectors.joining(", ")));
    }

    public String datasetName() {
        return datasetName;
    }

    /** True when queries search a separate gallery (In-shop), false for self retrieval. */
    public boolean queryGallery() {
        return queryGallery;
    }

    public int[] recallK() {
        return recallK.clone();
    }
}
