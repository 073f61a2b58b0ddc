package dev.proxyanchor.model.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Max pooling of one plane for any window ({@link IndexedMaxPoolKernels}' windows other than the 2x2 tiling, such as
 * the 3x3 stride-2 pools of BN-Inception, ResNet and GoogLeNet) on the JDK's Vector API; loaded only when the JVM has
 * {@code --add-modules=jdk.incubator.vector}. The scalar loop picks each winner through unpredictable branches.
 *
 * <p>The window is taken apart: first every input row's maximum over each window's columns (with its column), then
 * the maximum of those over each window's rows. Both steps keep PyTorch's rule (a later value takes over when it is
 * larger or NaN), which makes the result the row-by-row scan's: the first maximum, or the last NaN. Strided column
 * access becomes unit-stride by splitting each row into its {@code sW} column phases first; a row's results serve
 * every window that covers it.
 *
 * <p>Every row runs in whole vectors, its last one reaching past the row's end: the buffers carry {@link #PADDING}
 * spare elements (the phases {@code kW} more), and a later row overwrites what spilled into it. With 16 lanes
 * (AVX-512) the pools' 56, 28, 14 and 7 wide outputs would otherwise leave 8, 12, 14 and 7 windows a row to scalar
 * code and its unpredictable branches, which made these pools about 7% of a BN-Inception step.
 */
final class MaxPoolVectorWindows {

    private static final VectorSpecies<Float> LANES = FloatVector.SPECIES_PREFERRED;

    /** Spare elements {@code pooled} must have past {@code outH * outW}. */
    static final int PADDING = LANES.length();

    private MaxPoolVectorWindows() {
    }

    /**
     * pooled[i * outW + j] = max of plane's window (i, j); winners[at + i * outW + j] = its offset (row * kW + col).
     * {@code pooled} holds {@code outH * outW} plus {@link #PADDING}. Uses this thread's {@link ThreadBuffers} float
     * arrays 2 to 5.
     */
    static void pool(float[] plane, int w, IndexedMaxPoolKernels.Window win, int outH, int outW, float[] pooled,
            byte[] winners, int at) {
        int rows = (outH - 1) * win.sH() + win.kH();
        int phase = (w + win.sW() - 1) / win.sW();
        float[] phases = ThreadBuffers.floats(2, win.sW() * phase + win.kW() + PADDING);
        float[] rowBest = ThreadBuffers.floats(3, rows * outW + PADDING);
        float[] rowCol = ThreadBuffers.floats(4, rows * outW + PADDING);
        for (int r = 0; r < rows; r++) {
            for (int first = 0; first < win.sW(); first++) {
                int to = first * phase;
                for (int c = r * w + first; c < (r + 1) * w; c += win.sW()) {
                    phases[to++] = plane[c];
                }
            }
            acrossColumns(phases, phase, win, outW, rowBest, rowCol, r * outW);
        }
        float[] offsets = ThreadBuffers.floats(5, outH * outW + PADDING);
        for (int i = 0; i < outH; i++) {
            downRows(rowBest, rowCol, i * win.sH() * outW, win, outW, pooled, offsets, i * outW);
        }
        for (int x = 0; x < outH * outW; x++) {
            winners[at + x] = (byte) offsets[x];
        }
    }

    /** best[to + j], col[to + j] = the maximum over window j's columns of one row, given as its column phases. */
    private static void acrossColumns(float[] phases, int phase, IndexedMaxPoolKernels.Window win, int outW,
            float[] best, float[] col, int to) {
        for (int j = 0; j < outW; j += LANES.length()) {
            FloatVector top = FloatVector.fromArray(LANES, phases, j);
            FloatVector topCol = FloatVector.zero(LANES);
            for (int b = 1; b < win.kW(); b++) {
                FloatVector v = FloatVector.fromArray(LANES, phases, (b % win.sW()) * phase + b / win.sW() + j);
                VectorMask<Float> takes = wins(v, top);
                top = top.blend(v, takes);
                topCol = topCol.blend(FloatVector.broadcast(LANES, b), takes);
            }
            top.intoArray(best, to + j);
            topCol.intoArray(col, to + j);
        }
    }

    /** pooled[to + j], offsets[to + j] = the maximum of the row maxima of output row's windows, from row {@code from}. */
    private static void downRows(float[] best, float[] col, int from, IndexedMaxPoolKernels.Window win, int outW,
            float[] pooled, float[] offsets, int to) {
        for (int j = 0; j < outW; j += LANES.length()) {
            FloatVector top = FloatVector.fromArray(LANES, best, from + j);
            FloatVector offset = FloatVector.fromArray(LANES, col, from + j);
            for (int a = 1; a < win.kH(); a++) {
                int r = from + a * outW + j;
                FloatVector v = FloatVector.fromArray(LANES, best, r);
                VectorMask<Float> takes = wins(v, top);
                top = top.blend(v, takes);
                offset = offset.blend(FloatVector.fromArray(LANES, col, r).add(a * win.kW()), takes);
            }
            top.intoArray(pooled, to + j);
            offset.intoArray(offsets, to + j);
        }
    }

    /** Lanes where {@code challenger} takes over: strictly larger, or NaN (see {@link MaxPoolVectorTiles}). */
    private static VectorMask<Float> wins(FloatVector challenger, FloatVector incumbent) {
        return challenger.compare(VectorOperators.GT, incumbent).or(challenger.compare(VectorOperators.NE, challenger));
    }
}
