package dev.proxyanchor.spark.progress;

import java.time.Duration;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import org.apache.spark.SparkContext;
import org.apache.spark.util.AccumulatorV2;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Progress lines of one long step the driver waits for (embedding images, the kNN pass, k-means), about every 10%
 * and at least every 30 s: {@code embed: images 12,800/60,502 (21%)  410 images/s  ETA 1m56s}. Use it in a
 * try-with-resources block around the blocking call.
 */
public final class JobProgress implements AutoCloseable {

    static final Duration MAX_SILENCE = Duration.ofSeconds(30);
    static final Duration MIN_GAP = Duration.ofSeconds(5);
    static final int PARTS = 10;
    private static final Logger LOG = LoggerFactory.getLogger(JobProgress.class);

    private final String what;
    private final String unit;
    private final DoubleSupplier done;
    private final LongSupplier clock;
    private final Consumer<String> out;
    private final ProgressMeter meter;
    private final AutoCloseable ticking;
    private final AutoCloseable source;

    private JobProgress(String what, String unit, double total, DoubleSupplier done, AutoCloseable source,
                        Ticker ticker, LongSupplier clock, Consumer<String> out) {
        this.what = what;
        this.unit = unit;
        this.done = done;
        this.clock = clock;
        this.out = out;
        this.source = source;
        this.meter = new ProgressMeter(total, clock.getAsLong(), MAX_SILENCE, MIN_GAP, PARTS);
        this.ticking = ticker.start(this::tick);
    }

    /** Progress of a count the driver itself keeps (for example finished k-means iterations). */
    public static JobProgress of(String what, String unit, double total, DoubleSupplier done) {
        return new JobProgress(what, unit, total, done, () -> { }, Ticker.EVERY_SECOND, System::nanoTime, LOG::info);
    }

    /** Progress of an accumulator the executors add to, counted across the cluster while tasks run. */
    public static JobProgress ofAccumulator(SparkContext sc, String what, String unit, double total,
                                            AccumulatorV2<?, ?> counter) {
        LiveAccumulators live = LiveAccumulators.listen(sc);
        live.watch(counter);
        return new JobProgress(what, unit, total, () -> live.value(counter), live, Ticker.EVERY_SECOND,
                System::nanoTime, LOG::info);
    }

    /** For tests: a hand-driven ticker, a fake clock and a list of lines. */
    static JobProgress of(String what, String unit, double total, DoubleSupplier done, Ticker ticker,
                          LongSupplier clock, Consumer<String> out) {
        return new JobProgress(what, unit, total, done, () -> { }, ticker, clock, out);
    }

    void tick() {
        meter.observe(done.getAsDouble(), clock.getAsLong()).ifPresent(p -> out.accept(line(p)));
    }

    String line(Progress p) {
        return String.format(Locale.ROOT, "%s: %s %s/%s (%d%%)  %s %s/s  ETA %s", what, unit, Durations.count(p.done()),
                Durations.count(p.total()), (int) (100 * p.fraction()), rate(p.ratePerSecond()), unit,
                Durations.format(p.etaSeconds()));
    }

    private static String rate(double perSecond) {
        return perSecond >= 10 ? Durations.count(perSecond) : String.format(Locale.ROOT, "%.2f", perSecond);
    }

    @Override
    public void close() {
        try {
            ticking.close();
            source.close();
        } catch (Exception e) {
            LOG.debug("stopping progress lines", e);
        }
    }
}
