package dev.proxyanchor.spark.progress;

import java.time.Duration;
import java.util.Optional;

/**
 * Decides when a long job prints a progress line: each time it crosses another tenth (or other share) of its
 * total, and after a stretch without any line, so that a slow job still shows it is alive. Nothing at 100%: the job
 * prints its own closing line. The clock is passed in, so that tests drive it.
 */
public final class ProgressMeter {

    private final double total;
    private final long startNanos;
    private final long maxSilenceNanos;
    private final int parts;
    private int partsPrinted;
    private long lastLineNanos;

    /**
     * @param parts      lines at each 1/parts of the total (10: every 10%)
     * @param maxSilence a line at least this often while the job runs
     */
    public ProgressMeter(double total, long startNanos, Duration maxSilence, int parts) {
        this.total = total;
        this.startNanos = startNanos;
        this.maxSilenceNanos = maxSilence.toNanos();
        this.parts = parts;
        this.lastLineNanos = startNanos;
    }

    /** The progress to print now, or empty when it is not time for a line. */
    public Optional<Progress> observe(double done, long nowNanos) {
        double capped = Math.max(0, Math.min(done, total));
        if (total <= 0 || capped >= total) {
            return Optional.empty();
        }
        int part = (int) Math.floor(capped / total * parts);
        boolean crossed = part > partsPrinted;
        boolean silentTooLong = nowNanos - lastLineNanos >= maxSilenceNanos;
        if (!crossed && !silentTooLong) {
            return Optional.empty();
        }
        partsPrinted = Math.max(partsPrinted, part);
        lastLineNanos = nowNanos;
        return Optional.of(new Progress(capped, total, (nowNanos - startNanos) / 1e9));
    }
}
