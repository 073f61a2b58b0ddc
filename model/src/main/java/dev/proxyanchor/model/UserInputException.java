package dev.proxyanchor.model;

/**
 * An error caused by what the user gave (a flag, a file, a label, a NaN in their data), as opposed to a bug. Its
 * message is shown to the user as it is, so it names what was expected, what was found, where, and the fix.
 */
public class UserInputException extends RuntimeException {

    public UserInputException(String message) {
        super(message);
    }

    public UserInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
