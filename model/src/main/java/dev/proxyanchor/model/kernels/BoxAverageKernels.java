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
        float scale = 1f / (k * k);
        FloatBuffer src = ContiguousFloats.of(in);
        FloatBuffer dst = ContiguousFloats.of(out);
        ContiguousFloats.indices(in.size(0) * in.size(1)).forEach(plane -> {
            // Row sums of the plane, with p zero rows above and below so that the column pass needs no bounds.
            float[] rowSums = ThreadBuffers.floats(0, (h + 2 * p) * w);
            Arrays.fill(rowSums, 0, p * w, 0f);
            Arrays.fill(rowSums, (h + p) * w, (h + 2 * p) * w, 0f);
            float[] row = ThreadBuffers.zeroedFloats(1, w + 2 * p);
            float[] result = ThreadBuffers.floats(2, h * w);
            for (int i = 0; i < h; i++) {
                src.get(plane * h * w + i * w, row, p, w);
                sumAlongRow(row, k, w, rowSums, (i + p) * w);
            }
            for (int i = 0; i < h; i++) {
                sumDownColumns(rowSums, i * w, k, w, scale, result, i * w);
            }
            dst.put(plane * h * w, result, 0, h * w);
        });
    }

    /** sums[at + j] = row[j] + ... + row[j + k - 1] for j < w ({@code row} holds the padded row). */
    private static void sumAlongRow(float[] row, int k, int w, float[] sums, int at) {
        for (int j = 0; j < w; j++) {
            sums[at + j] = row[j];
        }
        for (int b = 1; b < k; b++) {
            for (int j = 0; j < w; j++) {
                sums[at + j] += row[j + b];
            }
        }
    }

    /** out[to + j] = scale * (the k rows of {@code rowSums} from {@code from} down, at column j) for j < w. */
    private static void sumDownColumns(float[] rowSums, int from, int k, int w, float scale, float[] out, int to) {
        for (int j = 0; j < w; j++) {
            out[to + j] = rowSums[from + j];
        }
        for (int a = 1; a < k; a++) {
            int r = from + a * w;
            for (int j = 0; j < w; j++) {
                out[to + j] += rowSums[r + j];
            }
        }
        for (int j = 0; j < w; j++) {
            out[to + j] *= scale;
        }
    }
}
