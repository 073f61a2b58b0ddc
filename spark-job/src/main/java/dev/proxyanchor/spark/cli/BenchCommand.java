package dev.proxyanchor.spark.cli;

import picocli.CommandLine.Command;

/** The parent of the benchmarks: {@code bench knn}, {@code bench train}, {@code bench input}. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks of this machine or cluster.",
        subcommands = {BenchKnnCommand.class, BenchTrainCommand.class, BenchInputCommand.class})
final class BenchCommand {
}
