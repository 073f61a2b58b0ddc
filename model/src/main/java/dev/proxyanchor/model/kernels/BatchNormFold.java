package dev.proxyanchor.model.kernels;

import dev.proxyanchor.model.runtime.ContiguousFloats;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A BatchNorm on fixed statistics folded into the convolution before it. Per output channel o, with
 * {@code a = gamma / sqrt(var + eps)}, BatchNorm maps the convolution's output x to {@code a (x - mean) + beta}, so
 * the two are one convolution with weights {@code W' = a W} and bias {@code b' = a (bias - mean) + beta}.
 *
 * <p>Backward, from the gradient g at the folded convolution's output (after any ReLU mask), the folded convolution's
 * own backward pass gives {@code G = dL/dW'} summed over the batch without the scale, i.e. the weight gradient of a
 * convolution with output gradient g, and {@code s = sum g} over images and positions. The unfused network's
 * gradients follow without its feature map:
 * <ul>
 *   <li>{@code dW = a G} and {@code dbias = a s} (the convolution saw {@code a g});</li>
 *   <li>{@code dbeta = s};</li>
 *   <li>{@code dgamma = sum g xHat = invStd (sum g x - mean s)} and {@code sum g x = <W, G> + bias s}, since x is
 *       linear in W: so {@code dgamma = invStd (<W, G> + (bias - mean) s)}.</li>
 * </ul>
 * Weights are OIHW rows: each output channel's weights are one contiguous row.
 */
public final class BatchNormFold {

    private BatchNormFold() {
    }

    /** The BatchNorm's statistics and affine parameters, per channel. */
    public record Statistics(double[] gamma, double[] beta, double[] mean, double[] var, double eps) {

        double invStd(int channel) {
            return 1 / Math.sqrt(var[channel] + eps);
        }
    }

    /**
     * foldedWeights = a W, foldedBias = a (bias - mean) + beta; {@code bias} is null for a convolution without one.
     * All arrays contiguous float32; the weights OIHW.
     */
    public static void fold(INDArray weights, INDArray bias, Statistics bn, INDArray foldedWeights,
            INDArray foldedBias) {
        int outChannels = (int) weights.size(0);
        int perChannel = (int) (weights.length() / outChannels);
        FloatBuffer w = ContiguousFloats.of(weights);
        FloatBuffer folded = ContiguousFloats.of(foldedWeights);
        float[] b = bias == null ? null : bias.toFloatVector();
        float[] foldedB = new float[outChannels];
        ContiguousFloats.indices(outChannels).forEach(o -> {
            double invStd = bn.invStd(o);
            float scale = (float) (bn.gamma()[o] * invStd);
            float[] row = ThreadBuffers.floats(0, perChannel);
            w.get(o * perChannel, row, 0, perChannel);
            for (int i = 0; i < perChannel; i++) {
                row[i] *= scale;
            }
            folded.put(o * perChannel, row, 0, perChannel);
            double convBias = b == null ? 0 : b[o];
            foldedB[o] = (float) (bn.gamma()[o] * invStd * (convBias - bn.mean()[o]) + bn.beta()[o]);
        });
        ContiguousFloats.of(foldedBias).put(0, foldedB);
    }

    /**
     * The unfused network's gradients from the folded convolution's: {@code weightGradient} holds G on entry and dW
     * on return; {@code biasGradient} (null without a bias) receives dbias; dGamma and dBeta are filled.
     *
     * @param outputGradientSums s, the per-channel sums of the gradient at the folded convolution's output
     */
    public static void unfold(INDArray weights, INDArray bias, Statistics bn, INDArray weightGradient,
            INDArray outputGradientSums, INDArray biasGradient, double[] dGamma, double[] dBeta) {
        int outChannels = (int) weights.size(0);
        int perChannel = (int) (weights.length() / outChannels);
        FloatBuffer w = ContiguousFloats.of(weights);
        FloatBuffer grad = ContiguousFloats.of(weightGradient);
        float[] s = outputGradientSums.toFloatVector();
        float[] b = bias == null ? null : bias.toFloatVector();
        float[] dBias = new float[outChannels];
        ContiguousFloats.indices(outChannels).forEach(o -> {
            double invStd = bn.invStd(o);
            float scale = (float) (bn.gamma()[o] * invStd);
            float[] row = ThreadBuffers.floats(0, perChannel);
            float[] g = ThreadBuffers.floats(1, perChannel);
            w.get(o * perChannel, row, 0, perChannel);
            grad.get(o * perChannel, g, 0, perChannel);
            double weightsDotG = 0;
            for (int i = 0; i < perChannel; i++) {
                weightsDotG += (double) row[i] * g[i];
                g[i] *= scale;
            }
            grad.put(o * perChannel, g, 0, perChannel);
            double convBias = b == null ? 0 : b[o];
            dBeta[o] = s[o];
            dGamma[o] = invStd * (weightsDotG + (convBias - bn.mean()[o]) * s[o]);
            dBias[o] = scale * s[o];
        });
        if (biasGradient != null) {
            ContiguousFloats.of(biasGradient).put(0, dBias);
        }
    }
}
