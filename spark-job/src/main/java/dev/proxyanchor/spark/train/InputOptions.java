package dev.proxyanchor.spark.train;

import dev.proxyanchor.model.UsageException;
import java.io.Serializable;

/**
 * How the executors feed training: minibatches decoded ahead of the one training, the size of each executor's decode
 * pool, and whether an unreadable training image stops the run or is skipped and counted.
 *
 * @param prefetch      minibatches of the same task decoded ahead of the one it trains on
 * @param decodeThreads threads of each executor's decode pool; 0 for the cores the training step leaves idle
 * @param skipBadImages skip (and count) unreadable training images instead of stopping
 */
public record InputOptions(int prefetch, int decodeThreads, boolean skipBadImages) implements Serializable {

    public InputOptions {
        if (prefetch < 0 || decodeThreads < 0) {
            throw new UsageException("--prefetch and --decode-threads must be >= 0, got " + prefetch + " and "
                    + decodeThreads);
        }
    }

    public static InputOptions defaults() {
        return new InputOptions(2, 0, false);
    }
}
