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
 */
final class MaxPoolVectorWindows {

    private static final VectorSpecies<Float> LANES = FloatVector.SPECIES_PREFERRED;

    private MaxPoolVectorWindows() {
    }

    /**
     * pooled[i * outW + j] = max of plane's window (i, j); winners[at + i * outW + j] = its offset (row * kW + col).
     * Uses this thread's {@link ThreadBuffers} float arrays 2 to 5.
     */
    static void pool(float[] plane, int w, IndexedMaxPoolKernels.Window win, int outH, int outW, float[] pooled,
            byte[] winners, int at) {
        int rows = (outH - 1) * win.sH() + win.kH();
        int phase = (w + win.sW() - 1) / win.sW();
        float[] phases = ThreadBuffers.floats(2, win.sW() * phase);
        float[] rowBest = ThreadBuffers.floats(3, rows * outW);
        float[] rowCol = ThreadBuffers.floats(4, rows * outW);
        for (int r = 0; r < rows; r++) {
            for (int first = 0; first < win.sW(); first++) {
                int to = first * phase;
                for (int c = r * w + first; c < (r + 1) * w; c += win.sW()) {
                    phases[to++] = plane[c];
                }
            }
            acrossColumns(phases, phase, win, outW, rowBest, rowCol, r * outW);
        }
        float[] offsets = ThreadBuffers.floats(5, outH * outW);
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
        int j = 0;
        for (; j < LANES.loopBound(outW); j += LANES.length()) {
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
        for (; j < outW; j++) {
            float top = phases[j];
            int topCol = 0;
            for (int b = 1; b < win.kW(); b++) {
                float v = phases[(b % win.sW()) * phase + b / win.sW() + j];
                if (v > top || v != v) {
                    top = v;
                    topCol = b;
                }
            }
            best[to + j] = top;
            col[to + j] = topCol;
        }
    }

    /** pooled[to + j], offsets[to + j] = the maximum of the row maxima of output row's windows, from row {@code from}. */
    private static void downRows(float[] best, float[] col, int from, IndexedMaxPoolKernels.Window win, int outW,
            float[] pooled, float[] offsets, int to) {
        int j = 0;
        for (; j < LANES.loopBound(outW); j += LANES.length()) {
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
        for (; j < outW; j++) {
            float top = best[from + j];
            float offset = col[from + j];
            for (int a = 1; a < win.kH(); a++) {
                int r = from + a * outW + j;
                if (best[r] > top || best[r] != best[r]) {
                    top = best[r];
                    offset = col[r] + a * win.kW();
                }
            }
            pooled[to + j] = top;
            offsets[to + j] = offset;
        }
    }

    /** Lanes where {@code challenger} takes over: strictly larger, or NaN (see {@link MaxPoolVectorTiles}). */
    private static VectorMask<Float> wins(FloatVector challenger, FloatVector incumbent) {
        return challenger.compare(VectorOperators.GT, incumbent).or(challenger.compare(VectorOperators.NE, challenger));
    }
}
