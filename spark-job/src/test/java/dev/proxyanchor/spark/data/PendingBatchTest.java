package dev.proxyanchor.spark.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxyanchor.datasets.DatasetException;
import dev.proxyanchor.spark.train.BatchDecoder;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** Decoding ahead on a pool: every failure reaches the thread that takes the batch, and nothing waits forever. */
class PendingBatchTest {

    /** One float per image: the image's index in its name ({@code img/<i>}); {@code bad} throws as a corrupt file. */
    private record Indexed(String bad, boolean unexpected) implements BatchDecoder {
        @Override
        public long[] imageShape(boolean train) {
            return new long[] {1, 1, 1};
        }

        @Override
        public void decodeInto(String uri, long seed, boolean train, float[] out, int at) {
            if (uri.equals(bad)) {
                if (unexpected) {
                    throw new ArrayIndexOutOfBoundsException("a bug");
                }
                throw new DatasetException("cannot decode image " + uri + ": corrupt (test)");
            }
            out[at] = Integer.parseInt(uri.substring(uri.indexOf('/') + 1));
        }
    }

    private static String[] uris(int n) {
        String[] uris = new String[n];
        for (int i = 0; i < n; i++) {
            uris[i] = "img/" + i;
        }
        return uris;
    }

    @Test
    void aFailureAtARandomImageReachesTheTakerEveryTime() {
        ExecutorService pool = Executors.newFixedThreadPool(3);
        SplittableRandom random = new SplittableRandom(11);
        try {
            assertTimeoutPreemptively(Duration.ofMinutes(2), () -> {
                for (int run = 0; run < 500; run++) {
                    int n = 1 + random.nextInt(40);
                    String bad = "img/" + random.nextInt(n);
                    boolean unexpected = random.nextBoolean();
                    PendingBatch batch = new PendingBatch(new Indexed(bad, unexpected), uris(n), new long[n], true,
                            false, pool);
                    RuntimeException e = assertThrows(RuntimeException.class, batch::await);
                    assertTrue(e.getMessage().contains(bad + ":") || e.getMessage().contains(bad + " "),
                            "run " + run + ": " + e.getMessage());
                    assertEquals(unexpected ? IllegalStateException.class : DatasetException.class, e.getClass());
                }
            });
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theTakerDecodesWhatNoPoolThreadHasStarted() throws InterruptedException {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        CountDownLatch release = new CountDownLatch(1);
        pool.execute(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            PendingBatch batch = new PendingBatch(new Indexed("none", false), uris(5), new long[5], true, false,
                    pool);
            DecodedBatch decoded = assertTimeoutPreemptively(Duration.ofSeconds(30), batch::await);
            assertArrayEquals(new float[] {0, 1, 2, 3, 4}, decoded.features());
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void skippedImagesAreLeftOutAndNamed() {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            DecodedBatch decoded = new PendingBatch(new Indexed("img/2", false), uris(5), new long[5], true, true,
                    pool).await();
            assertArrayEquals(new float[] {0, 1, 3, 4}, decoded.features());
            assertArrayEquals(new int[] {0, 1, 3, 4}, decoded.kept());
            assertEquals(1, decoded.bad().size());
            assertEquals("img/2", decoded.bad().get(0).uri());
            assertTrue(decoded.bad().get(0).reason().contains("corrupt"));
            // A fault is never skipped as a bad image.
            assertThrows(IllegalStateException.class, () -> new PendingBatch(new Indexed("img/2", true), uris(5),
                    new long[5], true, true, pool).await());
        } finally {
            pool.shutdownNow();
        }
    }
}
