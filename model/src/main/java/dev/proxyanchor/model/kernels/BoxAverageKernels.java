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
 * gradient at the output, so {@link #filter} serves both passes. It runs one image plane at a time, copied into a
 * buffer where every row has p zeros either side and p zero rows lie above and below, so that both one-dimensional
 * sums (along rows, then along columns) are single loops over the whole buffer with no border cases, which the JIT
 * turns into SIMD code even on 7 x 7 maps; the columns a row's sum takes from the next row are never read.
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
        int pw = w + 2 * p;
        int paddedArea = (h + 2 * p) * pw;
        float scale = 1f / (k * k);
        FloatBuffer src = ContiguousFloats.of(in);
        FloatBuffer dst = ContiguousFloats.of(out);
        ContiguousFloats.indices(in.size(0) * in.size(1)).forEach(plane -> {
            float[] padded = ThreadBuffers.floats(0, paddedArea);
            float[] rowSums = ThreadBuffers.floats(1, paddedArea);
            float[] sums = ThreadBuffers.floats(2, h * pw);
            Arrays.fill(padded, 0, p * pw + p, 0f);
            for (int i = 0; i < h; i++) {
                int row = (p + i) * pw + p;
                src.get(plane * area + i * w, padded, row, w);
                Arrays.fill(padded, row + w, row + w + 2 * p, 0f);
            }
            Arrays.fill(padded, (p + h) * pw, paddedArea, 0f);
            sumAlong(padded, 1, k, paddedArea - 2 * p, rowSums);
            sumAlong(rowSums, pw, k, h * pw, sums);
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < w; j++) {
                    sums[i * pw + j] *= scale;
                }
                dst.put(plane * area + i * w, sums, i * pw, w);
            }
        });
    }

    /** sums[x] = v[x] + v[x + step] + ... (k terms) for x < n; 3 terms (BN-Inception's pools) in one loop. */
    private static void sumAlong(float[] v, int step, int k, int n, float[] sums) {
        if (k == 3) {
            int twice = 2 * step;
            for (int x = 0; x < n; x++) {
                sums[x] = v[x] + v[x + step] + v[x + twice];
            }
            return;
        }
        System.arraycopy(v, 0, sums, 0, n);
        for (int t = 1; t < k; t++) {
            int at = t * step;
            for (int x = 0; x < n; x++) {
                sums[x] += v[at + x];
            }
        }
    }
}
