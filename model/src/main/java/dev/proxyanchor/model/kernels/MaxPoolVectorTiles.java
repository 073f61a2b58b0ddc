package dev.proxyanchor.model.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The 2x2 tiling max pool of {@link IndexedMaxPoolKernels} on the JDK's Vector API; loaded only when the JVM has
 * {@code --add-modules=jdk.incubator.vector}. The scalar version has to pick a winner per window from four
 * unpredictable compares, which the JIT turns into branches or long select chains; here every pick is a lane blend.
 *
 * <p>Per output row: a shuffle splits each input row into its even and odd columns, each row's pair is compared
 * lane by lane (the right one wins where it is larger or NaN), then the upper winner against the lower one the same
 * way. A chunk of L input columns gives L/2 outputs. Chunks may read past the end of a row and write past the end of an
 * output row: the buffers carry {@link #PADDING} spare elements, and a later row overwrites what spilled into it.
 */
final class MaxPoolVectorTiles {

    private static final VectorSpecies<Float> LANES = FloatVector.SPECIES_PREFERRED;
    private static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(LANES, i -> (2 * i) % LANES.length());
    private static final VectorShuffle<Float> ODD = VectorShuffle.fromOp(LANES, i -> (2 * i + 1) % LANES.length());
    // Constant vectors rather than scalar blends, which the JIT did not keep in registers.
    private static final FloatVector ZERO = FloatVector.zero(LANES);
    private static final FloatVector ONE = FloatVector.broadcast(LANES, 1f);
    private static final FloatVector TWO = FloatVector.broadcast(LANES, 2f);
    private static final FloatVector THREE = FloatVector.broadcast(LANES, 3f);

    /** Spare elements the plane, pooled and winners buffers need past their contents. */
    static final int PADDING = LANES.length();

    private MaxPoolVectorTiles() {
    }

    /** Whether the lanes are wide enough to hold a window pair (always, on x86). */
    static boolean usable() {
        return LANES.length() >= 2;
    }

    /**
     * pooled[i * outW + j] = max of plane's 2x2 window (i, j); winners[i * outW + j] = its offset (row * 2 + col):
     * the first maximum, or the last NaN (PyTorch's rule, see {@link IndexedMaxPoolKernels}). {@code plane} holds {@code 2 * outH} rows of width {@code w} (>= 2 * outW)
     * plus {@link #PADDING}; pooled and {@code offsets} (scratch) hold {@code outH * outW} plus {@link #PADDING}.
     * The offsets are computed as float lanes and narrowed in a scalar loop: the JDK 17 Vector API's float-to-byte
     * conversion is not compiled to SIMD instructions and cost ten times the rest.
     */
    static void pool2x2(float[] plane, int w, int outH, int outW, float[] pooled, float[] offsets, byte[] winners) {
        for (int i = 0; i < outH; i++) {
            int top = 2 * i * w;
            int out = i * outW;
            for (int k = 0; k < 2 * outW; k += LANES.length()) {
                FloatVector upper = FloatVector.fromArray(LANES, plane, top + k);
                FloatVector lower = FloatVector.fromArray(LANES, plane, top + w + k);
                // Each row's pair first, then upper against lower: the order of PyTorch's scan.
                FloatVector a = upper.rearrange(EVEN);
                FloatVector b = upper.rearrange(ODD);
                FloatVector c = lower.rearrange(EVEN);
                FloatVector d = lower.rearrange(ODD);
                VectorMask<Float> bWins = wins(b, a);
                VectorMask<Float> dWins = wins(d, c);
                FloatVector upperBest = a.blend(b, bWins);
                FloatVector lowerBest = c.blend(d, dWins);
                VectorMask<Float> lowerWins = wins(lowerBest, upperBest);
                int at = out + k / 2;
                upperBest.blend(lowerBest, lowerWins).intoArray(pooled, at);
                ZERO.blend(ONE, bWins).blend(TWO.blend(THREE, dWins), lowerWins).intoArray(offsets, at);
            }
        }
        for (int j = 0; j < outH * outW; j++) {
            winners[j] = (byte) offsets[j];
        }
    }

    /**
     * Lanes where {@code challenger} takes over, by PyTorch's rule: strictly larger, or NaN. A lane is NaN where it
     * differs from itself; the Vector API's IS_NAN test was several times slower here.
     */
    private static VectorMask<Float> wins(FloatVector challenger, FloatVector incumbent) {
        return challenger.compare(VectorOperators.GT, incumbent).or(challenger.compare(VectorOperators.NE, challenger));
    }
}
