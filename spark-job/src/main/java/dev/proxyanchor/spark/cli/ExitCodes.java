package dev.proxyanchor.spark.cli;

import dev.proxyanchor.model.UsageException;
import dev.proxyanchor.spark.runtime.UserError;
import picocli.CommandLine;
import picocli.CommandLine.IExitCodeExceptionMapper;

/**
 * The exit codes of every subcommand, chosen by the type of what ended it, here and nowhere else (the README's
 * "Exit codes" lists them):
 * <ul>
 *   <li>{@value #OK}: success;
 *   <li>{@value #FAILURE}: an unexpected failure, printed with its stack trace (a bug, or a fault the job cannot
 *       name, such as a lost cluster);
 *   <li>{@value #USAGE}: the command line: picocli's parse errors (an unknown flag, a value of the wrong type, a
 *       missing required flag) and {@link UsageException} (a value or a combination of flags the job refuses);
 *   <li>{@value #BAD_INPUT}: bad input data: every other {@link UserError} ({@code UserInputException},
 *       {@code DatasetException} and their subclasses: a missing or corrupt file, a NaN embedding, a wrong label),
 *       wherever in the cluster it was raised.
 * </ul>
 * Code that finds a problem only throws the right type; it never picks a number.
 */
final class ExitCodes implements IExitCodeExceptionMapper {

    static final int OK = 0;
    static final int FAILURE = 1;
    static final int USAGE = 2;
    static final int BAD_INPUT = 3;

    @Override
    public int getExitCode(Throwable exception) {
        return of(exception);
    }

    static int of(Throwable exception) {
        if (exception instanceof CommandLine.ParameterException) {
            return USAGE;
        }
        return UserError.find(exception)
                .map(userError -> userError instanceof UsageException ? USAGE : BAD_INPUT)
                .orElse(FAILURE);
    }
}
