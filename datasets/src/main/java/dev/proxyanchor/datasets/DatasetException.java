package dev.proxyanchor.datasets;

/**
 * A dataset that does not match what its reader expects (a missing file, a bad line, a missing or corrupt image, a
 * label out of range), as opposed to a bug. Its message is shown to the user as it is, so it names the file (and
 * line), what was expected, what was found and what to do.
 */
public class DatasetException extends RuntimeException {

    public DatasetException(String message) {
        super(message);
    }

    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
