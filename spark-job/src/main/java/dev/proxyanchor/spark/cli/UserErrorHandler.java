package dev.proxyanchor.spark.cli;

import dev.proxyanchor.datasets.DatasetException;
import dev.proxyanchor.model.UserInputException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Bad input (a wrong flag value, a broken dataset, a NaN loss) is reported as one readable message and exit code
 * 2; anything else is a bug and keeps its stack trace.
 */
final class UserErrorHandler implements IExecutionExceptionHandler {

    @Override
    public int handleExecutionException(Exception ex, CommandLine cli, ParseResult parsed) throws Exception {
        RuntimeException userError = findUserError(ex);
        if (userError == null) {
            throw ex;
        }
        cli.getErr().println("error: " + userError.getMessage());
        return 2;
    }

    private static RuntimeException findUserError(Throwable t) {
        for (Throwable cur = t; cur != null; cur = cur.getCause()) {
            if (cur instanceof UserInputException || cur instanceof DatasetException) {
                return (RuntimeException) cur;
            }
        }
        return null;
    }
}
