package dev.proxyanchor.model.kernels;

import dev.proxyanchor.model.runtime.ContiguousFloats;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Max pooling of contiguous NCHW float32 maps, one image plane at a time: the forward pass records which
 * position of each window won (PyTorch's {@code max_pool2d_with_indices}), so the backward pass routes the gradient
 * in a single sweep instead of pooling again (ND4J's {@code maxpool2d_bp} does). The winner is PyTorch's: scanning
 * the window row by row, a value takes over when it is larger or NaN, so the first maximum wins and a NaN beats any
 * number (the last NaN, if several). Where windows overlap (stride < kernel) a position collects the gradient
 * of every window it won. A plane may first get zero margins ({@link Margins}: the zero padding PyTorch's pools
 * leave out, exact on non-negative maps); they are added and dropped in the plane's copy to and from the Java
 * buffers, where a padding layer would copy the whole map each way.
 */
public final class IndexedMaxPoolKernels {

    /** The 2x2 tiling forward pass runs on SIMD lanes when the JVM has the Vector API module. */
    static final boolean VECTORIZED = BatchNormRows.VECTORIZED && MaxPoolVectorTiles.usable();

    private IndexedMaxPoolKernels() {
    }

    /** The window geometry: kernel and stride per axis. */
    public record Window(int kH, int kW, int sH, int sW) {
        boolean isTwoByTwoTiling() {
            return kH == 2 && kW == 2 && sH == 2 && sW == 2;
        }

        /** Window offsets must fit the winners' byte encoding. */
        public boolean fits() {
            return kH * kW <= Byte.MAX_VALUE;
        }
    }

    /** Zero rows above and below, zero columns left and right of every plane, pooled as part of it. */
    public record Margins(int top, int bottom, int left, int right) {

        public static final Margins NONE = new Margins(0, 0, 0, 0);

        public Margins {
            if (top < 0 || bottom < 0 || left < 0 || right < 0) {
                throw new IllegalArgumentException("negative margin in " + this);
            }
        }

        public boolean none() {
            return equals(NONE);
        }
    }

    /**
     * out[n, c, i, j] = max of the window over the plane with its margins; {@code winners} gets each window's winning
     * offset (row * kW + col).
     */
    public static void forward(INDArray x, Window win, Margins margins, INDArray out, byte[] winners) {
        int h = (int) x.size(2);
        int w = (int) x.size(3);
        int pw = w + margins.left() + margins.right();
        int area = (h + margins.top() + margins.bottom()) * pw;
        int outH = (int) out.size(2);
        int outW = (int) out.size(3);
        FloatBuffer in = ContiguousFloats.of(x);
        FloatBuffer y = ContiguousFloats.of(out);
        boolean vector = VECTORIZED && win.isTwoByTwoTiling();
        int padding = vector ? MaxPoolVectorTiles.PADDING : VECTORIZED ? MaxPoolVectorWindows.PADDING : 0;
        planes(x).forEach(p -> {
            float[] plane = ThreadBuffers.floats(0, area + padding);
            float[] pooled = ThreadBuffers.floats(1, outH * outW + padding);
            if (margins.none()) {
                in.get(p * h * w, plane, 0, h * w);
            } else {
                withMargins(in, p * h * w, h, w, margins, plane);
            }
            if (vector) {
                byte[] planeWinners = ThreadBuffers.bytes(0, outH * outW);
                MaxPoolVectorTiles.pool2x2(plane, pw, outH, outW, pooled,
                        ThreadBuffers.floats(2, outH * outW + padding), planeWinners);
                System.arraycopy(planeWinners, 0, winners, p * outH * outW, outH * outW);
            } else if (win.isTwoByTwoTiling()) {
                pool2x2(plane, pw, outH, outW, pooled, winners, p * outH * outW);
            } else if (VECTORIZED) {
                MaxPoolVectorWindows.pool(plane, pw, win, outH, outW, pooled, winners, p * outH * outW);
            } else {
                pool(plane, pw, win, outH, outW, pooled, winners, p * outH * outW);
            }
            y.put(p * outH * outW, pooled, 0, outH * outW);
        });
    }

    static void pool(float[] plane, int w, Window win, int outH, int outW, float[] pooled, byte[] winners,
            int at) {
        for (int i = 0; i < outH; i++) {
            for (int j = 0; j < outW; j++) {
                int top = i * win.sH() * w + j * win.sW();
                float best = plane[top];
                int winner = 0;
                for (int a = 0; a < win.kH(); a++) {
                    for (int b = 0; b < win.kW(); b++) {
                        float v = plane[top + a * w + b];
                        if (v > best || Float.isNaN(v)) {
                            best = v;
                            winner = a * win.kW() + b;
                        }
                    }
                }
                pooled[i * outW + j] = best;
                winners[at + i * outW + j] = (byte) winner;
            }
        }
    }

    /**
     * The 2x2 tiling case without data-dependent branches (a max pool's winners are unpredictable, and a
     * mispredicted branch per window cost more than the loads).
     */
    static void pool2x2(float[] plane, int w, int outH, int outW, float[] pooled, byte[] winners, int at) {
        for (int i = 0; i < outH; i++) {
            int row = 2 * i * w;
            for (int j = 0; j < outW; j++) {
                int t = row + 2 * j;
                float a = plane[t];
                float b = plane[t + 1];
                float c = plane[t + w];
                float d = plane[t + w + 1];
                // Integer selects from float compares become conditional moves; ties keep the earlier position.
                float top = Math.max(a, b);
                float bottom = Math.max(c, d);
                int topWinner = b > a ? 1 : 0;
                int bottomWinner = d > c ? 3 : 2;
                int winner = bottom > top ? bottomWinner : topWinner;
                float best = Math.max(top, bottom);
                if (best != best) {
                    winner = d != d ? 3 : c != c ? 2 : b != b ? 1 : 0;
                }
                pooled[i * outW + j] = best;
                winners[at + i * outW + j] = (byte) winner;
            }
        }
    }

    /**
     * dx = dy routed to each window's winner (summed where windows overlap), zero elsewhere; what reaches the margins
     * is dropped.
     */
    public static void backward(INDArray dy, byte[] winners, Window win, Margins margins, INDArray dx) {
        int h = (int) dx.size(2);
        int w = (int) dx.size(3);
        int pw = w + margins.left() + margins.right();
        int area = (h + margins.top() + margins.bottom()) * pw;
        int outH = (int) dy.size(2);
        int outW = (int) dy.size(3);
        FloatBuffer grad = ContiguousFloats.of(dy);
        FloatBuffer out = ContiguousFloats.of(dx);
        boolean tiling = win.isTwoByTwoTiling();
        planes(dx).forEach(p -> {
            float[] plane = ThreadBuffers.zeroedFloats(0, area);
            float[] g = ThreadBuffers.floats(1, outH * outW);
            grad.get(p * outH * outW, g, 0, outH * outW);
            for (int i = 0; i < outH; i++) {
                for (int j = 0; j < outW; j++) {
                    int k = i * outW + j;
                    int winner = winners[p * outH * outW + k];
                    if (tiling) {
                        plane[(2 * i + (winner >> 1)) * pw + 2 * j + (winner & 1)] = g[k];
                    } else {
                        plane[(i * win.sH() + winner / win.kW()) * pw + j * win.sW() + winner % win.kW()] += g[k];
                    }
                }
            }
            if (margins.none()) {
                out.put(p * h * w, plane, 0, h * w);
            } else {
                for (int r = 0; r < h; r++) {
                    out.put(p * h * w + r * w, plane, (margins.top() + r) * pw + margins.left(), w);
                }
            }
        });
    }

    /** plane = the h x w plane at {@code from}, with zero margins around it. */
    private static void withMargins(FloatBuffer in, int from, int h, int w, Margins m, float[] plane) {
        int pw = w + m.left() + m.right();
        Arrays.fill(plane, 0, m.top() * pw + m.left(), 0f);
        for (int r = 0; r < h; r++) {
            int row = (m.top() + r) * pw + m.left();
            in.get(from + r * w, plane, row, w);
            Arrays.fill(plane, row + w, row + w + m.right() + (r + 1 < h ? m.left() : 0), 0f);
        }
        Arrays.fill(plane, (m.top() + h) * pw, (m.top() + h + m.bottom()) * pw, 0f);
    }

    /** Image planes (n, c). */
    private static IntStream planes(INDArray nchw) {
        return ContiguousFloats.indices(nchw.size(0) * nchw.size(1));
    }

    public static byte[] winnersFor(byte[] previous, long count) {
        return previous != null && previous.length == count ? previous : new byte[Math.toIntExact(count)];
    }
}
