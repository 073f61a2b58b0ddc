package dev.proxyanchor.datasets;

/**
 * Reader options beyond the root folder. Immutable; start from {@link #defaults()}.
 *
 * @param evalSeen Fashion-MNIST: also evaluate on the test images of the training classes (role {@link Role#EVAL_SEEN})
 */
public record DatasetOptions(boolean evalSeen) {

    public static DatasetOptions defaults() {
        return new DatasetOptions(false);
    }

    public DatasetOptions withEvalSeen(boolean value) {
        return new DatasetOptions(value);
    }
}
