package dev.proxyanchor.spark.train;

import dev.proxyanchor.spark.data.DecodedBatch;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;

/**
 * What the input side did in an epoch, gathered from the executors through Spark accumulators: images decoded, the
 * thread time decoding took, the decode pool of each executor, and the images skipped as unreadable. From these the
 * driver tells the input side's capacity (images/s its pools can decode) against what training consumed.
 */
public final class InputCounters implements Serializable {

    private final LongAccumulator decodedImages;
    private final LongAccumulator decodeNanos;
    private final CollectionAccumulator<String> pools;
    private final CollectionAccumulator<DecodedBatch.BadImage> badImages;

    public InputCounters(JavaSparkContext jsc) {
        this.decodedImages = jsc.sc().longAccumulator("decoded images");
        this.decodeNanos = jsc.sc().longAccumulator("decode nanoseconds");
        this.pools = jsc.sc().collectionAccumulator("decode pools");
        this.badImages = jsc.sc().collectionAccumulator("bad images");
    }

    /** On an executor's task thread, after a batch is decoded. */
    void record(int images, long nanos, int poolThreads, DecodedBatch batch) {
        decodedImages.add(images);
        decodeNanos.add(nanos);
        SparkEnv env = SparkEnv.get();
        pools.add((env == null ? "driver" : env.executorId()) + "=" + poolThreads);
        batch.bad().forEach(badImages::add);
    }

    /** Starts a new epoch's counts (driver). */
    public void reset() {
        decodedImages.reset();
        decodeNanos.reset();
        pools.reset();
        badImages.reset();
    }

    /**
     * Images per second the executors' decode pools can turn out: the measured time per image spread over every pool
     * thread of every executor. NaN before anything was decoded.
     */
    public double capacityImagesPerSec() {
        if (decodedImages.value() == 0 || decodeNanos.value() == 0) {
            return Double.NaN;
        }
        Map<String, Integer> threadsByExecutor = new LinkedHashMap<>();
        for (String pool : pools.value()) {
            int at = pool.lastIndexOf('=');
            threadsByExecutor.put(pool.substring(0, at), Integer.parseInt(pool.substring(at + 1)));
        }
        int threads = threadsByExecutor.values().stream().mapToInt(Integer::intValue).sum();
        double secondsPerImage = decodeNanos.value() / 1e9 / decodedImages.value();
        return threads / secondsPerImage;
    }

    /** The images skipped this epoch. */
    public List<DecodedBatch.BadImage> badImages() {
        return List.copyOf(badImages.value());
    }
}
