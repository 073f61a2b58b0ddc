package dev.proxyanchor.spark.cli;

import dev.proxyanchor.model.runtime.CpuKernels;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The single entry point: {@code submit/local.sh <subcommand>} and {@code spark-submit ... <jar> <subcommand>}
 * both land here.
 */
@Command(
        name = "proxyanchor",
        // Subcommands inherit --help and --version (with this version provider).
        scope = CommandLine.ScopeType.INHERIT,
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Proxy-Anchor metric learning on Apache Spark.",
        subcommands = {
                InfoCommand.class,
                TrainCommand.class,
                EmbedCommand.class,
                ExportCommand.class,
                EvaluateCommand.class,
                ReportCommand.class,
                DatasetsCommand.class,
                BenchCommand.class,
        })
public final class Main {

    public static void main(String[] args) {
        int code;
        try {
            // Before anything loads ND4J: JavaCPP reads the build to load once.
            CpuKernels.configure();
            code = run(args);
        } catch (Throwable unexpected) {
            // Errors (OutOfMemoryError, ...) pass through picocli; without System.exit Spark's non-daemon threads
            // would keep the JVM alive.
            unexpected.printStackTrace();
            code = ExitCodes.FAILURE;
        }
        System.exit(code);
    }

    /** Runs a command line and returns its exit code ({@link ExitCodes}); tests call this instead of {@link #main}. */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setParameterExceptionHandler(new UsageErrorHandler());
        cli.setExecutionExceptionHandler(new UserErrorHandler());
        cli.setExitCodeExceptionMapper(new ExitCodes());
        return cli;
    }
}
