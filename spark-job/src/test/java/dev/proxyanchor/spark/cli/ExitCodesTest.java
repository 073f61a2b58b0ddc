package dev.proxyanchor.spark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxyanchor.datasets.DatasetException;
import dev.proxyanchor.datasets.mat.MatFormatException;
import dev.proxyanchor.model.UsageException;
import dev.proxyanchor.model.UserInputException;
import dev.proxyanchor.spark.runtime.GpuSupportAccess;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.spark.SparkException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The exit codes scripts rely on, through {@link Main}'s command line: 0 ok, 1 bug, 2 usage, 3 bad input data. */
class ExitCodesTest {

    private String err;

    private int run(CommandLine cli, String... args) {
        StringWriter text = new StringWriter();
        cli.setErr(new PrintWriter(text, true));
        int code = cli.execute(args);
        err = text.toString();
        return code;
    }

    private int run(String... args) {
        return run(Main.commandLine(), args);
    }

    /** A subcommand that ends by throwing what it was built with. */
    @Command(name = "throw")
    static final class Throwing implements Callable<Integer> {
        private final Exception thrown;

        Throwing(Exception thrown) {
            this.thrown = thrown;
        }

        @Override
        public Integer call() throws Exception {
            throw thrown;
        }
    }

    private int runThrowing(Exception thrown) {
        CommandLine cli = Main.commandLine();
        cli.addSubcommand(new Throwing(thrown));
        return run(cli, "throw");
    }

    @Test
    void anUnknownFlagOrAMistypedValueIsUsageTwo() {
        assertEquals(2, run("evaluate", "--embeddings", "e.csv", "--k", "1", "--no-such-flag"));
        assertTrue(err.contains("--no-such-flag"), err);
        assertEquals(2, run("evaluate", "--embeddings", "e.csv", "--k", "one"));
        assertEquals(2, run("embed", "--checkpoint", "run", "--output", "e.parquet"));
        assertTrue(err.contains("--dataset"), err);
    }

    @Test
    void aMistypedFlagIsOneLineNamingItAndItsLikelyMeaning() {
        assertEquals(2, run("train", "--dataset", "fmnist", "--ouput", "runs/x"));
        assertEquals("error: Unknown option: '--ouput' (did you mean --output?); proxyanchor train --help lists the "
                + "flags", err.strip(), "named although the required --output is missing too");
        assertEquals(2, run("evaluate", "--embeddings", "e.csv", "--k", "1", "--learning-rate", "0.1"));
        assertEquals("error: Unknown option: '--learning-rate'; proxyanchor evaluate --help lists the flags",
                err.strip(), "its value is not a second unknown option");
        assertEquals(2, run("train", "--dataset", "fmnist"));
        assertEquals("error: Missing required option: '--output=<output>'; proxyanchor train --help lists the flags",
                err.strip(), "one line, not the 90 of train's usage text");
    }

    @Test
    void anUnknownDatasetNameIsUsageTwoAndListsTheRegistry() {
        assertEquals(2, run("datasets", "describe", "--dataset", "imagenet"));
        assertTrue(err.contains("unknown dataset 'imagenet'") && err.contains("fmnist") && err.contains("Inshop"),
                err);
    }

    @Test
    void aValueTheCommandRefusesIsUsageTwoWithOneLine() {
        assertEquals(2, run("evaluate", "--embeddings", "e.csv"));
        assertEquals("error: pass --k (e.g. --k 1,2,4,8) or --dataset to choose the Recall@K list",
                err.strip());
    }

    @Test
    void flagValuesOutOfRangeAreUsageTwoInEverySubcommand() {
        assertEquals(2, run("report", "--run", "runs/x", "--queries", "0"));
        assertEquals("error: --queries and --neighbours must be at least 1", err.strip());
        assertEquals(2, run("bench", "input", "--images", "images", "--threads", "0"));
        assertTrue(err.startsWith("error: --threads and --repeats must be at least 1"), err);
    }

    @Test
    void badInputDataIsThreeWithoutAStackTrace(@TempDir Path dir) {
        assertEquals(3, run("datasets", "describe", "--dataset", "cub", "--data-root",
                dir.resolve("nowhere").toString()));
        assertTrue(err.startsWith("error: ") && err.contains("nowhere"), err);
        assertFalse(err.contains("\tat "), err);
    }

    @Test
    void userErrorsAreMappedByTypeHoweverDeepSparkWrappedThem() {
        assertEquals(3, runThrowing(new SparkException("Job aborted due to stage failure",
                new RuntimeException(new MatFormatException("cars_annos.mat is truncated.")))));
        assertEquals("error: cars_annos.mat is truncated.", err.strip());
        assertEquals(3, runThrowing(new UserInputException("row 3 of e.npy has the value NaN")));
        assertEquals(3, runThrowing(new DatasetException("missing file images.txt")));
        assertEquals(2, runThrowing(new SparkException("wrapped", new UsageException("--lr must be positive"))));
    }

    @Test
    void aGpuAnExecutorRefusedIsWhyTheStoppedRunFailed() {
        GpuSupportAccess.report(new UserInputException("GPU 0 (NVIDIA H100 80GB HBM3) has compute capability 9.0"));
        try {
            assertEquals(3, runThrowing(new IllegalStateException("Cannot call methods on a stopped SparkContext")));
            assertEquals("error: GPU 0 (NVIDIA H100 80GB HBM3) has compute capability 9.0", err.strip());
        } finally {
            GpuSupportAccess.clear();
        }
    }

    @Test
    void anUnexpectedFailureIsOneAndKeepsItsStackTrace() {
        assertEquals(1, runThrowing(new IllegalStateException("a bug")));
        assertTrue(err.contains("IllegalStateException: a bug") && err.contains("\tat "), err);
    }
}
