package dev.proxyanchor.spark.progress;

import java.time.Duration;
import java.util.Optional;

/**
 * Decides when a long job prints a progress line: each time it crosses another tenth (or other share) of its
 * total, and after a stretch without any line, so that a slow job still shows it is alive; but never two lines
 * closer than a few seconds (a fast job crossing several tenths quickly prints the latest once). Nothing at 100%:
 * the job prints its own closing line. The clock is passed in, so that tests drive it.
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
        return Optional.of(new Progress(capped, total, (nowNanos - startNanos) / 1e9));
    }
}
