package dev.proxyanchor.spark.cli;

import dev.proxyanchor.spark.runtime.GpuSupport;
import dev.proxyanchor.spark.runtime.UserError;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * A user's mistake (a wrong flag value, a broken dataset, a NaN embedding), however deep Spark wrapped it, is
 * reported as one line, {@code error: <message>}, with the exit code {@link ExitCodes} gives its type; anything else
 * is a bug and goes on to picocli, which prints its stack trace (exit code 1).
 */
final class UserErrorHandler implements IExecutionExceptionHandler {

    @Override
    public int handleExecutionException(Exception ex, CommandLine cli, ParseResult parsed) throws Exception {
        // An executor that refused its GPU stopped the run: whatever the driver was doing then failed.
        RuntimeException userError = UserError.find(ex).or(GpuSupport::reported).orElseThrow(() -> ex);
        cli.getErr().println("error: " + userError.getMessage());
        cli.getErr().flush();
        return ExitCodes.of(userError);
    }
}
