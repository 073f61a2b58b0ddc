package dev.proxyanchor.model.kernels;

import dev.proxyanchor.model.runtime.ContiguousFloats;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@link GlobalAvgPlusMaxPooling} on contiguous NCHW float32 maps, one (image, channel) plane at a time: the forward
 * pass keeps each plane's maximum position (PyTorch's rule: a value takes over when larger or NaN), so the backward
 * pass is the mean's even share plus the maximum's gradient at that position.
 */
public final class GlobalAvgPlusMaxKernels {

    private GlobalAvgPlusMaxKernels() {
    }

    /** out[n, c] = mean + max of plane (n, c); winners[n * C + c] = the maximum's offset in its plane. */
    public static void forward(INDArray x, INDArray out, int[] winners) {
        int hw = (int) (x.size(2) * x.size(3));
        FloatBuffer in = ContiguousFloats.of(x);
        FloatBuffer y = ContiguousFloats.of(out);
        ContiguousFloats.indices(x.size(0) * x.size(1)).forEach(p -> {
            float[] plane = ThreadBuffers.floats(0, hw);
            in.get(p * hw, plane, 0, hw);
            double sum = 0;
            float best = plane[0];
            int winner = 0;
            for (int i = 0; i < hw; i++) {
                float v = plane[i];
                sum += v;
                if (v > best || v != v) {
                    best = v;
                    winner = i;
                }
            }
            y.put(p, (float) (sum / hw) + best);
            winners[p] = winner;
        });
    }

    /** dx[n, c, :, :] = dy[n, c] / (H * W), plus dy[n, c] at the plane's maximum. */
    public static void backward(INDArray dy, int[] winners, INDArray dx) {
        int hw = (int) (dx.size(2) * dx.size(3));
        FloatBuffer grad = ContiguousFloats.of(dy);
        FloatBuffer out = ContiguousFloats.of(dx);
        ContiguousFloats.indices(dx.size(0) * dx.size(1)).forEach(p -> {
            float[] plane = ThreadBuffers.floats(0, hw);
            float g = grad.get(p);
            java.util.Arrays.fill(plane, 0, hw, g / hw);
            plane[winners[p]] += g;
            out.put(p * hw, plane, 0, hw);
        });
    }
}
