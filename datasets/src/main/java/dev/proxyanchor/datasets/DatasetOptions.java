package dev.proxyanchor.datasets;

/** Reader options beyond the root. @param evalSeen Fashion-MNIST: add the test images of the training classes. */
public record DatasetOptions(boolean evalSeen) {

    public static DatasetOptions defaults() {
        return new DatasetOptions(false);
    }
}
