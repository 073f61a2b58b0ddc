package dev.proxyanchor.spark.cli;

import picocli.CommandLine.Command;

/** The parent of the benchmarks: {@code bench knn} (and later {@code bench train}). */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks of this machine or cluster.",
        subcommands = {BenchKnnCommand.class, BenchTrainCommand.class})
final class BenchCommand {
}
