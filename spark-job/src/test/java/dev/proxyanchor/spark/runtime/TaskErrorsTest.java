package dev.proxyanchor.spark.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxyanchor.datasets.DatasetException;
import dev.proxyanchor.model.UserInputException;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * In {@code local[2,4]}, where Spark retries a failed task up to 4 times like on a cluster: a user error met in a task
 * reaches the driver as itself, from one attempt, with no failed task.
 */
class TaskErrorsTest {

    /** Attempts per row, counted in the tasks (local mode: the same JVM). */
    private static final ConcurrentHashMap<Integer, AtomicInteger> READS = new ConcurrentHashMap<>();
    private static final AtomicInteger FAILED_TASKS = new AtomicInteger();
    private static SparkSession spark;
    private static JavaSparkContext jsc;

    @BeforeAll
    static void startSparkThatRetriesFailedTasks() {
        SparkSession.getActiveSession().foreach(s -> {
            s.stop();
            return null;
        });
        spark = SparkSession.builder().config(SparkSessions.defaults("TaskErrorsTest").setMaster("local[2,4]"))
                .getOrCreate();
        jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        jsc.sc().addSparkListener(new SparkListener() {
            @Override
            public void onTaskEnd(SparkListenerTaskEnd end) {
                if (!end.taskInfo().successful()) {
                    FAILED_TASKS.incrementAndGet();
                }
            }
        });
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    @BeforeEach
    void resetCounters() throws InterruptedException {
        waitForListeners();
        READS.clear();
        FAILED_TASKS.set(0);
    }

    /** What a bad row throws. */
    private interface ErrorOf extends java.io.Serializable {
        RuntimeException of(int row);
    }

    /** Rows 0..n-1 in four partitions, each read counted; rows in {@code bad} throw what {@code error} makes. */
    private static JavaRDD<Integer> rows(int n, List<Integer> bad, ErrorOf error) {
        return jsc.parallelize(IntStream.range(0, n).boxed().toList(), 4).map(i -> {
            READS.computeIfAbsent(i, k -> new AtomicInteger()).incrementAndGet();
            if (bad.contains(i)) {
                throw error.of(i);
            }
            return i;
        });
    }

    private static void waitForListeners() throws InterruptedException {
        // The listener bus is asynchronous: a loaded machine delivered an earlier test's task ends after 500 ms.
        try {
            jsc.sc().listenerBus().waitUntilEmpty(60_000);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("Spark's listener bus did not drain in 60 s", e);
        }
    }

    @Test
    void aUserErrorInATaskIsRethrownOnTheDriverFromOneAttemptWithoutAFailedTask() throws Exception {
        UserInputException e = assertThrows(UserInputException.class, () -> TaskErrors.computeOnce(
                rows(40, List.of(25), i -> new UserInputException("row " + i + " of e.npy has the value NaN")),
                "test rows"));

        assertEquals("row 25 of e.npy has the value NaN", e.getMessage());
        assertEquals(1, READS.get(25).get(), "the bad row was read once: no retry");
        waitForListeners();
        assertEquals(0, FAILED_TASKS.get(), "no task failed, so Spark logged no task failure");
    }

    @Test
    void withoutItSparkRetriesTheTaskAndWrapsTheError() throws Exception {
        SparkException e = assertThrows(SparkException.class,
                () -> rows(40, List.of(25), i -> new UserInputException("bad row " + i)).collect());

        assertTrue(UserError.find(e).isPresent(), "the user error is the cause");
        assertEquals(4, READS.get(25).get(), "spark.task.maxFailures attempts");
        waitForListeners();
        assertEquals(4, FAILED_TASKS.get());
    }

    @Test
    void theErrorOfTheLowestPartitionWinsAndAWrappedOneIsUnwrapped() {
        DatasetException e = assertThrows(DatasetException.class, () -> TaskErrors.computeOnce(
                rows(40, List.of(5, 35), i -> new IllegalStateException("wrapped",
                        new DatasetException("image " + i + ".jpg is corrupt"))), "test rows"));

        assertEquals("image 5.jpg is corrupt", e.getMessage());
    }

    @Test
    void anUnexpectedErrorStillFailsTheTaskWithItsTrace() {
        SparkException e = assertThrows(SparkException.class, () -> TaskErrors.computeOnce(
                rows(8, List.of(3), i -> new IllegalStateException("a bug at " + i)), "test rows"));

        assertTrue(e.getMessage().contains("a bug at 3") && UserError.find(e).isEmpty(), e.getMessage());
    }

    @Test
    void goodRowsAreComputedOnceAndKeptForTheJobsThatFollow() {
        JavaRDD<Integer> kept = TaskErrors.computeOnce(rows(100, List.of(), i -> null), "test rows");

        assertEquals(4950, kept.reduce(Integer::sum));
        assertEquals(100, kept.count());
        assertTrue(READS.values().stream().allMatch(n -> n.get() == 1), "each row read once");
        assertSame(org.apache.spark.storage.StorageLevel.MEMORY_AND_DISK(), kept.getStorageLevel());
        kept.unpersist();
    }
}
