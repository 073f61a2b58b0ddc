package dev.proxyanchor.spark.runtime;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxyanchor.datasets.DatasetException;
import dev.proxyanchor.model.UserInputException;
import dev.proxyanchor.spark.SharedSpark;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaRDD;
import org.junit.jupiter.api.Test;

/** The console of the shipped log4j2.properties while Spark tasks fail. */
class UserErrorTraceFilterTest {

    /** What the console shows while {@code job} runs under the job's own log4j2.properties. */
    private static String consoleDuring(Runnable job) throws URISyntaxException {
        PrintStream oldErr = System.err;
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        System.setErr(new PrintStream(console, true, StandardCharsets.UTF_8));
        try {
            Configurator.reconfigure(UserErrorTraceFilter.class.getResource("/log4j2.properties").toURI());
            job.run();
            // Task ends reach the scheduler's log asynchronously.
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            System.setErr(oldErr);
            Configurator.reconfigure();
        }
        return console.toString(StandardCharsets.UTF_8);
    }

    private static JavaRDD<Integer> failingAt(int bad, RuntimeException error) {
        return SharedSpark.jsc().parallelize(List.of(1, 2, 3, 4), 2).map(i -> {
            if (i == bad) {
                throw error;
            }
            return i;
        });
    }

    @Test
    void aTaskFailingOnAUserErrorLeavesNoTraceOnTheConsole() throws Exception {
        String console = consoleDuring(() -> assertThrows(SparkException.class,
                () -> failingAt(3, new RuntimeException("DL4J wrapped it",
                        new DatasetException("image 3.jpg is corrupt"))).collect()));

        assertFalse(console.contains("\tat "), console);
        assertFalse(console.contains("Lost task") || console.contains("Exception in task")
                || console.contains("aborting job"), console);
    }

    @Test
    void aTaskFailingOnAnythingElseKeepsItsTrace() throws Exception {
        String console = consoleDuring(() -> assertThrows(SparkException.class,
                () -> failingAt(3, new IllegalStateException("a bug")).collect()));

        assertTrue(console.contains("Exception in task") && console.contains("IllegalStateException: a bug")
                && console.contains("\tat ") && console.contains("aborting job"), console);
    }

    @Test
    void recognisesOurUserErrorsInSparksFailureTextByClass() {
        String lost = "Lost task 2.0 in stage 5.0 (TID 25) (127.0.0.1 executor driver): "
                + "org.apache.spark.SparkException: wrapped\n\tat org.apache.spark.rdd.RDD.iterator(RDD.scala:1)\n"
                + "Caused by: dev.proxyanchor.datasets.mat.MatFormatException: cars_annos.mat is truncated.\n"
                + "\tat dev.proxyanchor.datasets.mat.MatFileReader.fail(MatFileReader.java:9)\n";
        assertTrue(UserErrorTraceFilter.isAboutUserError(null, lost));
        assertTrue(UserErrorTraceFilter.isAboutUserError(null, "...: dev.proxyanchor.model.UsageException"));
        assertTrue(UserErrorTraceFilter.isAboutUserError(new IllegalStateException(new UserInputException("x")),
                "Exception in task 0.0"));

        String bug = "Lost task 0.0 (TID 1): java.lang.NullPointerException\n"
                + "\tat dev.proxyanchor.spark.knn.TopK.offer(TopK.java:70)\n";
        assertFalse(UserErrorTraceFilter.isAboutUserError(null, bug));
        assertFalse(UserErrorTraceFilter.isAboutUserError(null, "Lost task: dev.proxyanchor.spark.NoSuchThing: x"));
        assertFalse(UserErrorTraceFilter.isAboutUserError(new IllegalStateException("bug"), "Exception in task"));
    }
}
