package dev.proxyanchor.spark.progress;

import java.time.Duration;
import java.util.Optional;

/**
 * Decides when a long job prints a progress line: each time it crosses another tenth (or other share) of its
 * total, and after a stretch without any line, so that a slow job still shows it is alive; but never two lines
 * closer than a few seconds (a fast job crossing several tenths quickly prints the latest once). Nothing at 100%:
 * the job prints its own closing line. The clock is passed in, so that tests drive it.
 *
 * <p>The rate counts from the first units seen, not from the start: before them the cluster starts its tasks, loads
 * the network and decodes its first images, which the rest of the job does not repeat (the README demo's
 * {@code embed} read 18 images/s and an ETA of 4 minutes at its first line, and ended 14 s later). Until a second
 * count arrives, the rate is the count over the time since the start.
 */
public final class ProgressMeter {

    private final double total;
    private final long startNanos;
    private final long maxSilenceNanos;
    private final long minGapNanos;
    private final int parts;
    private int partsPrinted;
    private long lastLineNanos;
    private boolean printedAny;
    private double firstDone = Double.NaN;
    private long firstNanos;

    /**
     * @param parts      lines at each 1/parts of the total (10: every 10%)
     * @param maxSilence a line at least this often while the job runs
     * @param minGap     no line sooner than this after the previous one
     */
    public ProgressMeter(double total, long startNanos, Duration maxSilence, Duration minGap, int parts) {
        this.total = total;
        this.startNanos = startNanos;
        this.maxSilenceNanos = maxSilence.toNanos();
        this.minGapNanos = minGap.toNanos();
        this.parts = parts;
        this.lastLineNanos = startNanos;
    }

    /** The progress to print now, or empty when it is not time for a line. */
    public Optional<Progress> observe(double done, long nowNanos) {
        double capped = Math.max(0, Math.min(done, total));
        if (total <= 0 || capped >= total) {
            return Optional.empty();
        }
        if (capped > 0 && Double.isNaN(firstDone)) {
            firstDone = capped;
            firstNanos = nowNanos;
        }
        int part = (int) Math.floor(capped / total * parts);
        boolean crossed = part > partsPrinted;
        boolean silentTooLong = nowNanos - lastLineNanos >= maxSilenceNanos;
        boolean tooSoon = printedAny && nowNanos - lastLineNanos < minGapNanos;
        if (!crossed && !silentTooLong || tooSoon) {
            return Optional.empty();
        }
        partsPrinted = Math.max(partsPrinted, part);
        lastLineNanos = nowNanos;
        printedAny = true;
        double elapsed = (nowNanos - startNanos) / 1e9;
        return Optional.of(new Progress(capped, total, elapsed, rate(capped, nowNanos, elapsed)));
    }

    private double rate(double done, long nowNanos, double elapsedSeconds) {
        if (done > firstDone && nowNanos > firstNanos) {
            return (done - firstDone) / ((nowNanos - firstNanos) / 1e9);
        }
        return elapsedSeconds <= 0 ? 0 : done / elapsedSeconds;
    }
}
