package dev.proxyanchor.spark.progress;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Calls a progress check periodically on a daemon thread while the driver's own thread is blocked in a Spark job
 * (DL4J's {@code fitPaths}, a kNN aggregate, a Parquet write). Tests replace it with one they tick by hand.
 */
@FunctionalInterface
public interface Ticker {

    /** Starts calling {@code tick}; closing the handle stops it. */
    AutoCloseable start(Runnable tick);

    /** Once a second on a daemon thread; an exception in {@code tick} is logged, never fatal to the job. */
    Ticker EVERY_SECOND = tick -> {
        ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "progress");
            t.setDaemon(true);
            return t;
        });
        thread.scheduleWithFixedDelay(() -> {
            try {
                tick.run();
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(Ticker.class).debug("progress check failed", e);
            }
        }, 1, 1, TimeUnit.SECONDS);
        return thread::shutdownNow;
    };
}
