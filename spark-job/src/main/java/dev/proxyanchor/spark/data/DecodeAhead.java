package dev.proxyanchor.spark.data;

import dev.proxyanchor.spark.train.BatchDecoder;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The decode pool of one executor JVM, shared by the tasks it runs: images of the minibatches ahead are decoded here
 * while the training step runs. Its size is fixed by the first task that asks for it ({@code --decode-threads}, or
 * {@link DecodeThreads#byDefault()}); its threads are daemons that live as long as the executor.
 */
public final class DecodeAhead {

    private static volatile DecodeAhead shared;

    private final ThreadPoolExecutor pool;

    private DecodeAhead(int threads) {
        AtomicInteger count = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(threads, threads, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(),
                runnable -> {
                    Thread thread = new Thread(runnable, "decode-ahead-" + count.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
    }

    /** @param threads the pool size, 0 for {@link DecodeThreads#byDefault()}; only the first call's counts */
    public static DecodeAhead shared(int threads) {
        DecodeAhead pool = shared;
        if (pool == null) {
            synchronized (DecodeAhead.class) {
                if (shared == null) {
                    shared = new DecodeAhead(threads > 0 ? threads : DecodeThreads.byDefault());
                }
                pool = shared;
            }
        }
        return pool;
    }

    /** Queues the images of one minibatch. */
    public PendingBatch submit(BatchDecoder decoder, String[] uris, long[] seeds, boolean train,
                               boolean skipBadImages) {
        return new PendingBatch(decoder, uris, seeds, train, skipBadImages, pool);
    }

    public int threads() {
        return pool.getCorePoolSize();
    }
}
