package dev.proxyanchor.model.kernels;

import dev.proxyanchor.model.runtime.ContiguousFloats;
import java.nio.FloatBuffer;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Average pooling of contiguous NCHW float32 maps with an odd {@code k x k} window, stride 1, padding
 * {@code (k - 1) / 2} on every side and the padding counted in the divisor (PyTorch's
 * {@code AvgPool2d(k, 1, (k - 1) / 2, count_include_pad=True)}, BN-Inception's pool branch): every output is the sum
 * of its window over the zero-padded input divided by {@code k * k}, and the output has the input's size.
 *
 * <p>Such a pool is a box filter, and its own adjoint: the gradient at the input is the same box filter of the
 * gradient at the output, so {@link #filter} serves both passes. It runs one image plane at a time, as two
 * one-dimensional sums (along rows, then along columns) of loops the JIT turns into SIMD code.
 */
public final class BoxAverageKernels {

    private BoxAverageKernels() {
    }

    /** out[n, c] = box filter of in[n, c] (zero outside) divided by k * k; {@code out} may not be {@code in}. */
    public static void filter(INDArray in, int k, INDArray out) {
        if (k % 2 == 0 || k < 1) {
            throw new IllegalArgumentException("a box filter needs an odd window, not " + k);
        }
        int h = (int) in.size(2);
        int w = (int) in.size(3);
        int p = k / 2;
        int area = h * w;
        float scale = 1f / (k * k);
        FloatBuffer src = ContiguousFloats.of(in);
        FloatBuffer dst = ContiguousFloats.of(out);
        ContiguousFloats.indices(in.size(0) * in.size(1)).forEach(plane -> {
            // The plane as one row with p zeros before and after it, and its row sums with p zero rows above and
            // below: both passes are then single loops over the whole plane, long enough for SIMD code even on
            // 7 x 7 maps.
            float[] padded = ThreadBuffers.floats(0, area + 2 * p);
            float[] rowSums = ThreadBuffers.floats(1, area + 2 * p * w);
            float[] result = ThreadBuffers.floats(2, area);
            Arrays.fill(padded, 0, p, 0f);
            Arrays.fill(padded, p + area, area + 2 * p, 0f);
            src.get(plane * area, padded, p, area);
            Arrays.fill(rowSums, 0, p * w, 0f);
            Arrays.fill(rowSums, p * w + area, area + 2 * p * w, 0f);
            sumAlong(padded, 0, 1, k, area, rowSums, p * w);
            fixRowEnds(padded, h, w, p, rowSums);
            sumAlong(rowSums, 0, w, k, area, result, 0);
            for (int x = 0; x < area; x++) {
                result[x] *= scale;
            }
            dst.put(plane * area, result, 0, area);
        });
    }

    /** sums[to + x] = v[from + x] + v[from + x + step] + ... (k terms) for x < n. */
    private static void sumAlong(float[] v, int from, int step, int k, int n, float[] sums, int to) {
        System.arraycopy(v, from, sums, to, n);
        for (int t = 1; t < k; t++) {
            int at = from + t * step;
            for (int x = 0; x < n; x++) {
                sums[to + x] += v[at + x];
            }
        }
    }

    /**
     * The first and last p row sums of each row, which the whole-plane pass took partly from the neighbouring rows:
     * summed again over the row's own columns only.
     */
    private static void fixRowEnds(float[] padded, int h, int w, int p, float[] rowSums) {
        if (p == 0) {
            return;
        }
        for (int i = 0; i < h; i++) {
            for (int j = 0; j < w; j = j == p - 1 && w - p > p ? w - p : j + 1) {
                float sum = 0;
                for (int c = Math.max(0, j - p); c <= Math.min(w - 1, j + p); c++) {
                    sum += padded[p + i * w + c];
                }
                rowSums[p * w + i * w + j] = sum;
            }
        }
    }
}
