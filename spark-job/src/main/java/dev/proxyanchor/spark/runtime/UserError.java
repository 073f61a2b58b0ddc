package dev.proxyanchor.spark.runtime;

import dev.proxyanchor.datasets.DatasetException;
import dev.proxyanchor.model.UserInputException;
import java.util.List;
import java.util.Optional;

/**
 * Which exceptions are the user's to fix rather than bugs: {@link UserInputException} (a flag, a file, a value;
 * {@link dev.proxyanchor.model.UsageException} among them) and {@link DatasetException} (a dataset that does not
 * match its reader), with their subclasses. Their messages are shown as they are, once, without a stack trace;
 * anything else keeps its trace. The exit code each gets is {@code cli.ExitCodes}'.
 */
public final class UserError {

    private static final List<Class<? extends RuntimeException>> TYPES =
            List.of(UserInputException.class, DatasetException.class);

    private UserError() {
    }

    public static boolean isUserError(Class<?> type) {
        return TYPES.stream().anyMatch(t -> t.isAssignableFrom(type));
    }

    /** The first user error in {@code thrown}'s cause chain (Spark and DL4J wrap what a task threw), if any. */
    public static Optional<RuntimeException> find(Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            if (isUserError(t.getClass())) {
                return Optional.of((RuntimeException) t);
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return Optional.empty();
    }
}
