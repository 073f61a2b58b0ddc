package dev.proxyanchor.model.layers;

import java.nio.FloatBuffer;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Max pooling over non-overlapping windows (kernel == stride, no padding) of contiguous NCHW float32 maps, one
 * image plane at a time: the forward pass records which position of each window won, so the backward pass writes
 * the input gradient in a single sweep instead of recomputing the pooling (ND4J's {@code maxpool2d_bp} does).
 * Like PyTorch, the first maximum in a window wins and a NaN always wins.
 */
final class TiledMaxPoolKernels {

    private TiledMaxPoolKernels() {
    }

    /** out[n, c, i, j] = max of the window; {@code winners} gets each window's winning offset (row * kW + col). */
    static void forward(INDArray x, int kH, int kW, INDArray out, byte[] winners) {
        int h = (int) x.size(2);
        int w = (int) x.size(3);
        int outH = (int) out.size(2);
        int outW = (int) out.size(3);
        FloatBuffer in = ContiguousFloats.of(x);
        FloatBuffer y = ContiguousFloats.of(out);
        planes(x).forEach(p -> {
            float[] plane = new float[h * w];
            float[] pooled = new float[outH * outW];
            in.get(p * h * w, plane);
            if (kH == 2 && kW == 2) {
                pool2x2(plane, w, outH, outW, pooled, winners, p * outH * outW);
                y.put(p * outH * outW, pooled);
                return;
            }
            for (int i = 0; i < outH; i++) {
                for (int j = 0; j < outW; j++) {
                    int top = i * kH * w + j * kW;
                    float best = plane[top];
                    int winner = 0;
                    for (int a = 0; a < kH; a++) {
                        for (int b = 0; b < kW; b++) {
                            float v = plane[top + a * w + b];
                            if (v > best || (Float.isNaN(v) && !Float.isNaN(best))) {
                                best = v;
                                winner = a * kW + b;
                            }
                        }
                    }
                    pooled[i * outW + j] = best;
                    winners[p * outH * outW + i * outW + j] = (byte) winner;
                }
            }
            y.put(p * outH * outW, pooled);
        });
    }

    /**
     * The 2x2 case without data-dependent branches (a max pool's winners are unpredictable, and a mispredicted
     * branch per window cost more than the loads).
     */
    private static void pool2x2(float[] plane, int w, int outH, int outW, float[] pooled, byte[] winners, int at) {
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
                    winner = a != a ? 0 : b != b ? 1 : c != c ? 2 : 3;
                }
                pooled[i * outW + j] = best;
                winners[at + i * outW + j] = (byte) winner;
            }
        }
    }

    /** dx = dy routed to each window's winner, zero elsewhere (rows and columns no window covers included). */
    static void backward(INDArray dy, byte[] winners, int kH, int kW, INDArray dx) {
        int h = (int) dx.size(2);
        int w = (int) dx.size(3);
        int outH = (int) dy.size(2);
        int outW = (int) dy.size(3);
        FloatBuffer grad = ContiguousFloats.of(dy);
        FloatBuffer out = ContiguousFloats.of(dx);
        planes(dx).forEach(p -> {
            float[] plane = new float[h * w];
            float[] g = new float[outH * outW];
            grad.get(p * outH * outW, g);
            if (kH == 2 && kW == 2) {
                for (int i = 0; i < outH; i++) {
                    for (int j = 0; j < outW; j++) {
                        int k = i * outW + j;
                        int winner = winners[p * outH * outW + k];
                        plane[(2 * i + (winner >> 1)) * w + 2 * j + (winner & 1)] = g[k];
                    }
                }
                out.put(p * h * w, plane);
                return;
            }
            for (int i = 0; i < outH; i++) {
                for (int j = 0; j < outW; j++) {
                    int k = i * outW + j;
                    int winner = winners[p * outH * outW + k];
                    plane[(i * kH + winner / kW) * w + j * kW + winner % kW] = g[k];
                }
            }
            out.put(p * h * w, plane);
        });
    }

    /** Window size the winners' byte encoding can hold. */
    static boolean fits(int kH, int kW) {
        return kH * kW <= Byte.MAX_VALUE;
    }

    /** Image planes (n, c). */
    private static IntStream planes(INDArray nchw) {
        return ContiguousFloats.indices(nchw.size(0) * nchw.size(1));
    }

    static byte[] winnersFor(byte[] previous, long count) {
        return previous != null && previous.length == count ? previous : new byte[Math.toIntExact(count)];
    }
}
