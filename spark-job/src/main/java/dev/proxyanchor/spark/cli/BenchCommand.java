package dev.proxyanchor.spark.cli;

import picocli.CommandLine.Command;

/** {@code bench}: the project's benchmarks, one subcommand each. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks (measured in one run, as ratios where they compare).",
        subcommands = {BenchTrainCommand.class})
final class BenchCommand {
}
