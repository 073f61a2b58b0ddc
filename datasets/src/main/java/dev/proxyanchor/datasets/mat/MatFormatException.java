package dev.proxyanchor.datasets.mat;

import dev.proxyanchor.datasets.DatasetException;

/** A MAT-file that is not the level-5 format, or is truncated or corrupt. */
public final class MatFormatException extends DatasetException {

    public MatFormatException(String message) {
        super(message);
    }

    public MatFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
