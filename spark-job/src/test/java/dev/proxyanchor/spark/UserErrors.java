package dev.proxyanchor.spark;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import dev.proxyanchor.model.UserInputException;
import org.junit.jupiter.api.function.Executable;

/** Finds the user-facing error however deep Spark wrapped it. */
public final class UserErrors {

    private UserErrors() {
    }

    public static String messageOf(Executable run) {
        Throwable thrown = assertThrows(Throwable.class, run);
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            if (t instanceof UserInputException) {
                return t.getMessage();
            }
        }
        return fail("expected a UserInputException in the cause chain, got " + thrown, thrown);
    }
}
