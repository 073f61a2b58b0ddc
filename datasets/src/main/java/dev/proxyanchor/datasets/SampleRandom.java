package dev.proxyanchor.datasets;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * The random stream of one sample's augmentation in one epoch, derived from (seed, epoch, sample URI) alone, so a
 * run with the same seed draws the same crops and flips however the samples are partitioned or ordered.
 */
public final class SampleRandom {

    private SampleRandom() {}

    public static SplittableRandom of(long seed, int epoch, Sample sample) {
        long state = mix(seed ^ 0x9E3779B97F4A7C15L);
        state = mix(state ^ epoch);
        state = mix(state ^ fnv1a(sample.uri()));
        return new SplittableRandom(state);
    }

    private static long fnv1a(String text) {
        long hash = 0xCBF29CE484222325L;
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            hash ^= b & 0xFF;
            hash *= 0x100000001B3L;
        }
        return hash;
    }

    /** Stafford's variant 13 of the MurmurHash3 finaliser, the mixer SplittableRandom itself uses. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
