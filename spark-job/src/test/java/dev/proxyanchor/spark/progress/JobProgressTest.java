package dev.proxyanchor.spark.progress;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The lines of a long driver step, with a hand-driven ticker and a fake clock. */
class JobProgressTest {

    @Test
    void linesCarryCountsRateAndEta() {
        AtomicLong now = new AtomicLong();
        AtomicLong done = new AtomicLong();
        List<Runnable> ticks = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        try (JobProgress progress = JobProgress.of("embed", "images", 60502, done::get,
                tick -> { ticks.add(tick); return () -> { }; }, now::get, lines::add)) {
            now.set(20_000_000_000L);
            done.set(8200);
            ticks.get(0).run();
            now.set(21_000_000_000L);
            ticks.get(0).run();
        }
        assertEquals(List.of("embed: images 8,200/60,502 (13%)  410 images/s  ETA 2m08s"), lines);
    }

    @Test
    void slowRatesKeepTheirDecimals() {
        AtomicLong now = new AtomicLong(0);
        List<String> lines = new ArrayList<>();
        List<Runnable> ticks = new ArrayList<>();
        try (JobProgress progress = JobProgress.of("k-means", "iterations", 100, () -> 3,
                tick -> { ticks.add(tick); return () -> { }; }, now::get, lines::add)) {
            now.set(40_000_000_000L);
            ticks.get(0).run();
        }
        assertEquals(List.of("k-means: iterations 3/100 (3%)  0.08 iterations/s  ETA 21m33s"), lines);
    }
}
