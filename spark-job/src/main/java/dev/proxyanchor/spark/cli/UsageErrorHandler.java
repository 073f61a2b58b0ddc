package dev.proxyanchor.spark.cli;

import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * A command line picocli cannot parse is reported as one line, {@code error: <what>}, with picocli's suggestion for
 * a mistyped flag and where the flags are listed, instead of picocli's default of the message followed by the
 * subcommand's whole usage text (about 90 lines for {@code train}, which push the message off the screen).
 *
 * <p>A mistyped flag is named even when a required flag is also missing: picocli reports the missing one first, but
 * {@code --ouput runs/x} is one mistake, not "missing --output".
 */
final class UsageErrorHandler implements IParameterExceptionHandler {

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine cli = ex.getCommandLine();
        ParameterException reported = unknownFlagsFirst(ex, cli);
        StringBuilder line = new StringBuilder("error: ").append(reported.getMessage());
        if (reported instanceof UnmatchedArgumentException unmatched && !unmatched.getSuggestions().isEmpty()) {
            line.append(" (did you mean ").append(String.join(" or ", unmatched.getSuggestions())).append("?)");
        }
        line.append("; ").append(cli.getCommandSpec().qualifiedName()).append(" --help lists the flags");
        PrintWriter err = cli.getErr();
        err.println(line);
        err.flush();
        return cli.getCommandSpec().exitCodeOnInvalidInput();
    }

    /** Unknown flags, without the values that followed them, before anything else picocli found wrong. */
    private static ParameterException unknownFlagsFirst(ParameterException ex, CommandLine cli) {
        ParseResult parsed = cli.getParseResult();
        List<String> unmatched = ex instanceof UnmatchedArgumentException u ? u.getUnmatched()
                : parsed == null ? List.of() : parsed.unmatched();
        if (unmatched.isEmpty()) {
            return ex;
        }
        List<String> flags = unmatched.stream().filter(arg -> arg.startsWith("-")).toList();
        return new UnmatchedArgumentException(cli, flags.isEmpty() ? unmatched : flags);
    }
}
