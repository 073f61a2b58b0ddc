package dev.proxyanchor.spark.io;

import dev.proxyanchor.model.UserInputException;

/** Row checks shared by the readers; {@code where} names the file and row for the message. */
final class VectorChecks {

    private VectorChecks() {
    }

    static void requireLength(float[] vector, int expected, String where) {
        if (vector.length != expected) {
            throw new UserInputException(where + " has " + vector.length + " embedding values, expected " + expected
                    + " like the first row; every row needs the same dimension");
        }
    }

    static void requireFinite(float[] vector, String where) {
        for (int i = 0; i < vector.length; i++) {
            if (!Float.isFinite(vector[i])) {
                throw new UserInputException(where + " has the value " + vector[i] + " in embedding column "
                        + (i + 1) + "; embeddings must be finite numbers");
            }
        }
    }
}
