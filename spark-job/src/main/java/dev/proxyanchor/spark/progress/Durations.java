package dev.proxyanchor.spark.progress;

import java.util.Locale;

/** Short human durations and counts for progress lines: {@code 45s}, {@code 2m10s}, {@code 1h42m}, {@code 1,480}. */
public final class Durations {

    private Durations() {
    }

    /** {@code ?} when unknown (NaN or infinite). */
    public static String format(double seconds) {
        if (!Double.isFinite(seconds)) {
            return "?";
        }
        long s = Math.round(Math.max(0, seconds));
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return (s / 60) + "m" + String.format(Locale.ROOT, "%02d", s % 60) + "s";
        }
        if (s < 86400) {
            return (s / 3600) + "h" + String.format(Locale.ROOT, "%02d", (s % 3600) / 60) + "m";
        }
        return (s / 86400) + "d" + String.format(Locale.ROOT, "%02d", (s % 86400) / 3600) + "h";
    }

    /** A whole number with thousands separators: {@code 1,480}. */
    public static String count(double value) {
        return String.format(Locale.US, "%,.0f", value);
    }
}
