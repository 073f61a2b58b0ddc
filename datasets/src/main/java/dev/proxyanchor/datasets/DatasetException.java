package dev.proxyanchor.datasets;

/**
 * A dataset that does not have the expected layout or content. The message names the file (and line), what was
 * expected and what was found; it is shown to the user as it is.
 */
public class DatasetException extends RuntimeException {

    public DatasetException(String message) {
        super(message);
    }

    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
