package dev.proxyanchor.spark.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxyanchor.model.loss.Losses;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class TrainCommandTest {

    @Test
    void helpListsEveryRegisteredLoss() {
        String help = new CommandLine(new TrainCommand()).getUsageMessage(CommandLine.Help.Ansi.OFF);
        for (String loss : Losses.names()) {
            assertTrue(help.contains(loss), loss + " missing from:\n" + help);
        }
    }
}
