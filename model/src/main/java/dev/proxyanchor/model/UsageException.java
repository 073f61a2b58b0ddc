package dev.proxyanchor.model;

/**
 * A command line the job refuses before doing any work: an unknown name, a value out of range, flags that
 * contradict each other, a flag that is missing. Distinct from the other {@link UserInputException}s (bad files and
 * data) so that scripts can tell "fix the command" from "fix the data" by the exit code.
 */
public class UsageException extends UserInputException {

    public UsageException(String message) {
        super(message);
    }
}
