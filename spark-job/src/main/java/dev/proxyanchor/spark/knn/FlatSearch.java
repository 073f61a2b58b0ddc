package dev.proxyanchor.spark.knn;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Exact flat inner-product search in one JVM without Spark: the single-process baseline the distributed pass is
 * measured against. Worker threads take query blocks in turn and search the whole gallery with
 * {@link BlockSearch}, each with single-threaded BLAS, which on a few cores beats one multi-threaded GEMM
 * followed by a serial top-K.
 */
public final class FlatSearch {

    private FlatSearch() {
    }

    /**
     * Self retrieval over the rows of {@code vectors} (row-major, {@code ids.length x dim}); each query's list
     * goes to {@code sink}, which must be thread safe. Returns the nanoseconds spent in GEMM, summed over threads.
     */
    public static long selfSearch(long[] ids, int[] labels, float[] vectors, int dim, KnnOptions options,
            int threads, Consumer<NeighbourList> sink) {
        List<EmbeddingBlock> queryBlocks = Blocks.cut(ids, labels, vectors, dim, options.queryBlockRows());
        List<EmbeddingBlock> gallery = Blocks.cut(ids, labels, vectors, dim, options.galleryBlockRows());
        BlasThreads.set(options.blasThreadsPerTask());
        AtomicInteger next = new AtomicInteger();
        AtomicLong gemmNanos = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            Future<?>[] workers = new Future<?>[threads];
            for (int t = 0; t < threads; t++) {
                workers[t] = pool.submit(() -> {
                    try (BlockSearch search = new BlockSearch(dim, options.k())) {
                        for (int b = next.getAndIncrement(); b < queryBlocks.size(); b = next.getAndIncrement()) {
                            search.search(queryBlocks.get(b), gallery, true, false).forEach(sink);
                        }
                        gemmNanos.addAndGet(search.gemmNanos());
                    }
                });
            }
            for (Future<?> worker : workers) {
                worker.get();
            }
            return gemmNanos.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("flat search interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("flat search failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }
}
