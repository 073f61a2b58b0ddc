package dev.proxyanchor.spark.progress;

/**
 * How far a long job is at one moment: units done of a total, after some seconds, at a rate. The ETA assumes the
 * rest goes at that rate.
 *
 * @param ratePerSecond units per second as {@link ProgressMeter} measured them; 0 before the first unit
 */
public record Progress(double done, double total, double elapsedSeconds, double ratePerSecond) {

    public double fraction() {
        return total <= 0 ? 0 : done / total;
    }

    /** Seconds left at the rate; NaN before the first unit is done. */
    public double etaSeconds() {
        return done <= 0 || ratePerSecond <= 0 ? Double.NaN : (total - done) / ratePerSecond;
    }
}
