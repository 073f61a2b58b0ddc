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
                EvaluateCommand.class,
                ReportCommand.class,
                DatasetsCommand.class,
                BenchCommand.class,
        })
public final class Main {

    public static void main(String[] args) {
        // Before anything loads ND4J: JavaCPP reads the build to load once.
        CpuKernels.configure();
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit code; tests call this instead of {@link #main}. */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setExecutionExceptionHandler(new UserErrorHandler());
        return cli.execute(args);
    }
}
