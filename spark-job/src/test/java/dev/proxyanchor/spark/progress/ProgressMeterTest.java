package dev.proxyanchor.spark.progress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** When progress lines come, driven by a fake clock (seconds as nanoseconds). */
class ProgressMeterTest {

    private static final long S = 1_000_000_000L;

    @Test
    void aLineAtEachTenthAndNoneAtTheEnd() {
        ProgressMeter meter = new ProgressMeter(390, 0, Duration.ofSeconds(30), Duration.ZERO, 10);
        List<Long> printedAt = new ArrayList<>();
        for (int step = 1; step <= 390; step++) {
            // 0.05 s per step: the job never stays silent for 30 s.
            if (meter.observe(step, step * S / 20).isPresent()) {
                printedAt.add((long) step);
            }
        }
        assertEquals(List.of(39L, 78L, 117L, 156L, 195L, 234L, 273L, 312L, 351L), printedAt);
    }

    @Test
    void aSlowJobPrintsAtLeastEveryThirtySeconds() {
        ProgressMeter meter = new ProgressMeter(1000, 0, Duration.ofSeconds(30), Duration.ofSeconds(5), 10);
        assertTrue(meter.observe(0, 29 * S).isEmpty());
        Optional<Progress> first = meter.observe(0, 30 * S);
        assertTrue(first.isPresent(), "nothing after 30 s without progress");
        assertTrue(Double.isNaN(first.get().etaSeconds()), "no ETA before the first unit");
        assertTrue(meter.observe(5, 59 * S).isEmpty());
        Progress second = meter.observe(5, 60 * S).orElseThrow();
        assertEquals(5 / 60.0, second.ratePerSecond(), 1e-12);
        assertEquals(995 / (5 / 60.0), second.etaSeconds(), 1e-6);
    }

    @Test
    void theRateCountsFromTheFirstUnitsNotFromTheStartUp() {
        ProgressMeter meter = new ProgressMeter(5000, 0, Duration.ofSeconds(30), Duration.ofSeconds(5), 10);
        Progress first = meter.observe(512, 28 * S).orElseThrow();
        assertEquals(512 / 28.0, first.ratePerSecond(), 1e-9, "one count: from the start");
        assertTrue(meter.observe(1500, 30 * S).isEmpty());
        Progress later = meter.observe(2500, 35 * S).orElseThrow();
        assertEquals((2500 - 512) / 7.0, later.ratePerSecond(), 1e-9, "28 s of start-up left out");
        assertEquals(2500 / later.ratePerSecond(), later.etaSeconds(), 1e-9);
        assertEquals(35, later.elapsedSeconds(), 1e-12);
    }

    @Test
    void aJumpOverSeveralTenthsPrintsOnceAndCountsAreCapped() {
        ProgressMeter meter = new ProgressMeter(100, 0, Duration.ofSeconds(30), Duration.ofSeconds(5), 10);
        assertEquals(45, meter.observe(45, S).orElseThrow().done());
        assertTrue(meter.observe(49, 2 * S).isEmpty(), "40% was already printed");
        assertTrue(meter.observe(130, 3 * S).isEmpty(), "a transient overcount is the end, not 130%");
    }

    @Test
    void aTenthCrossedRightAfterALineWaitsForTheNextTenth() {
        ProgressMeter meter = new ProgressMeter(100, 0, Duration.ofSeconds(30), Duration.ofSeconds(5), 10);
        assertTrue(meter.observe(0, 30 * S).isPresent(), "the 30 s line");
        assertTrue(meter.observe(12, 31 * S).isEmpty(), "10% a second later: too soon");
        assertTrue(meter.observe(15, 34 * S).isEmpty(), "still within 5 s of the last line");
        assertEquals(25, meter.observe(25, 36 * S).orElseThrow().done());
    }

    @Test
    void durationsAndCountsReadAsInTheExamples() {
        assertEquals("45s", Durations.format(44.6));
        assertEquals("2m10s", Durations.format(130));
        assertEquals("1h42m", Durations.format(6120));
        assertEquals("2d03h", Durations.format(2 * 86400 + 3 * 3600));
        assertEquals("?", Durations.format(Double.NaN));
        assertEquals("1,480", Durations.count(1480.4));
    }
}
