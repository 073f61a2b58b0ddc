package dev.proxyanchor.spark.progress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.LongAccumulator;
import org.junit.jupiter.api.Test;

/**
 * Running tasks' partial counts reach the driver through executor heartbeats, before any task ends. In local mode
 * the tasks run in this JVM, so a static latch holds them running.
 */
class LiveAccumulatorsTest {

    private static final CountDownLatch RELEASE = new CountDownLatch(1);

    @Test
    void runningTasksCountBeforeTheyEnd() throws Exception {
        SparkConf conf = new SparkConf().setMaster("local[2]").setAppName("LiveAccumulatorsTest")
                .set("spark.ui.enabled", "false").set("spark.executor.heartbeatInterval", "2s");
        try (JavaSparkContext jsc = new JavaSparkContext(conf);
             LiveAccumulators live = LiveAccumulators.listen(jsc.sc())) {
            LongAccumulator images = live.watch(jsc.sc().longAccumulator("images"));
            CompletableFuture<Long> job = CompletableFuture.supplyAsync(() -> jsc.parallelize(List.of(1, 2), 2)
                    .map(x -> {
                        images.add(5);
                        RELEASE.await(60, TimeUnit.SECONDS);
                        return x;
                    }).count());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (live.value(images) < 10 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(10.0, live.value(images), "both running tasks' counts, from their heartbeats");
            assertEquals(0L, images.value(), "no task has ended yet");
            RELEASE.countDown();
            assertEquals(2L, job.get(60, TimeUnit.SECONDS));
            assertEquals(10L, images.value());
            Thread.sleep(500);
            assertTrue(live.value(images) >= 10.0 && live.value(images) <= 20.0);
            jsc.sc().listenerBus().waitUntilEmpty();
            assertEquals(10.0, live.value(images), "ended tasks count once, through the driver's value");
        }
    }
}
