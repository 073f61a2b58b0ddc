package dev.proxyanchor.spark.progress;

/**
 * How far a long job is at one moment: units done of a total, after some seconds. The rate and the ETA assume the
 * rest goes as fast as what is done went.
 */
public record Progress(double done, double total, double elapsedSeconds) {

    public double fraction() {
        return total <= 0 ? 0 : done / total;
    }

    /** Units per second so far; 0 before the first unit. */
    public double ratePerSecond() {
        return elapsedSeconds <= 0 ? 0 : done / elapsedSeconds;
    }

    /** Seconds left at the rate so far; NaN before the first unit is done. */
    public double etaSeconds() {
        return done <= 0 ? Double.NaN : (total - done) / ratePerSecond();
    }
}
