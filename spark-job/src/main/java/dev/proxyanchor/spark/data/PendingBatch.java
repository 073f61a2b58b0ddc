package dev.proxyanchor.spark.data;

import dev.proxyanchor.datasets.DatasetException;
import dev.proxyanchor.spark.train.BatchDecoder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.LongAdder;

/**
 * One minibatch being decoded ahead: one task per image, queued on the executor's decode pool. The thread that needs
 * the batch ({@link #await()}) runs every image no pool thread has started yet itself, then waits only for the
 * images a pool thread is decoding: a {@link FutureTask} always ends (with its image or with the exception its
 * decode threw), so no path waits on a queue a dead thread was to fill, and the batch is never slower than decoding
 * it on the calling thread alone.
 */
public final class PendingBatch {

    private final String[] uris;
    private final FutureTask<Void>[] images;
    private final float[] features;
    private final int imageSize;
    private final DatasetException[] failures;
    private final boolean skipBadImages;
    private final LongAdder decodeNanos = new LongAdder();

    @SuppressWarnings("unchecked")
    PendingBatch(BatchDecoder decoder, String[] uris, long[] seeds, boolean train, boolean skipBadImages,
                 Executor pool) {
        this.uris = uris;
        this.skipBadImages = skipBadImages;
        this.imageSize = decoder.imageSize(train);
        this.features = new float[uris.length * imageSize];
        this.failures = new DatasetException[uris.length];
        this.images = new FutureTask[uris.length];
        for (int i = 0; i < uris.length; i++) {
            int image = i;
            images[i] = new FutureTask<>(() -> {
                long start = System.nanoTime();
                try {
                    decoder.decodeInto(uris[image], seeds[image], train, features, image * imageSize);
                } catch (DatasetException e) {
                    if (!skipBadImages) {
                        throw e;
                    }
                    failures[image] = e;
                } catch (RuntimeException e) {
                    // Not a bad image but a fault: never skipped, and named, since the trace may stay in a log.
                    throw new IllegalStateException("decoding " + uris[image] + " failed: " + e, e);
                } finally {
                    decodeNanos.add(System.nanoTime() - start);
                }
                return null;
            });
        }
        for (FutureTask<Void> image : images) {
            pool.execute(image);
        }
    }

    /**
     * The decoded batch, once every image is decoded.
     *
     * @throws DatasetException naming the file when an image cannot be read (and bad images are not skipped)
     */
    public DecodedBatch await() {
        for (FutureTask<Void> image : images) {
            image.run();
        }
        for (int i = 0; i < images.length; i++) {
            try {
                images[i].get();
            } catch (ExecutionException e) {
                cancel();
                throw rethrown(e.getCause());
            } catch (InterruptedException e) {
                cancel();
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while decoding " + uris[i], e);
            } catch (CancellationException e) {
                throw new IllegalStateException("the decoding of " + uris[i] + " was cancelled", e);
            }
        }
        return assemble();
    }

    /** The time threads spent decoding this batch's images, once {@link #await()} returned. */
    public long decodeNanos() {
        return decodeNanos.sum();
    }

    public int size() {
        return uris.length;
    }

    /** Stops the images not started yet (the task that wanted this batch ended). */
    public void cancel() {
        for (FutureTask<Void> image : images) {
            image.cancel(false);
        }
    }

    private DecodedBatch assemble() {
        List<DecodedBatch.BadImage> bad = new ArrayList<>();
        int[] kept = new int[uris.length];
        int count = 0;
        for (int i = 0; i < uris.length; i++) {
            if (failures[i] == null) {
                kept[count++] = i;
            } else {
                bad.add(new DecodedBatch.BadImage(uris[i], failures[i].getMessage()));
            }
        }
        if (count == uris.length) {
            return new DecodedBatch(features, kept, bad);
        }
        float[] compact = new float[count * imageSize];
        for (int k = 0; k < count; k++) {
            System.arraycopy(features, kept[k] * imageSize, compact, k * imageSize, imageSize);
        }
        return new DecodedBatch(compact, Arrays.copyOf(kept, count), bad);
    }

    private static RuntimeException rethrown(Throwable cause) {
        if (cause instanceof RuntimeException runtime) {
            return runtime;
        }
        if (cause instanceof Error error) {
            throw error;
        }
        return new IllegalStateException(cause);
    }
}
