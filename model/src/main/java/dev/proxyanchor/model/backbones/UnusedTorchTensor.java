package dev.proxyanchor.model.backbones;

import java.util.List;

/**
 * A tensor the PyTorch class of a backbone has but the backbone here does not use, such as torchvision's ImageNet
 * classifier {@code fc}: files read may hold it (it is ignored), and an export writes it so that the official class
 * loads the file strictly, initialised as PyTorch initialises it unless a source file provides it.
 *
 * @param key   the state_dict key without the official wrapper's {@code model.} prefix, e.g. {@code fc.weight}
 * @param shape its shape
 * @param dtype its storage type, {@code FloatStorage} or {@code LongStorage}
 * @param low   its initial values are uniform in [low, high] (a constant when low == high)
 * @param high  see low
 */
public record UnusedTorchTensor(String key, long[] shape, String dtype, double low, double high) {

    private static final String FLOAT = "FloatStorage";

    /**
     * The weight and bias of {@code torch.nn.Linear(in, out)} named {@code module}, with {@code nn.Linear}'s
     * default initialisation: both uniform in +-1/sqrt(in) (kaiming_uniform with a = sqrt(5), as torchvision leaves
     * its classifiers).
     */
    public static List<UnusedTorchTensor> linear(String module, long in, long out) {
        double bound = 1.0 / Math.sqrt(in);
        return List.of(new UnusedTorchTensor(module + ".weight", new long[] {out, in}, FLOAT, -bound, bound),
                new UnusedTorchTensor(module + ".bias", new long[] {out}, FLOAT, -bound, bound));
    }

    /** {@code torch.nn.Linear(in, out)} initialised Xavier-uniform with a zero bias. */
    public static List<UnusedTorchTensor> xavierLinear(String module, long in, long out) {
        return List.of(xavierUniform(module + ".weight", new long[] {out, in}),
                new UnusedTorchTensor(module + ".bias", new long[] {out}, FLOAT, 0, 0));
    }

    /**
     * A weight ([out, in] or [out, in, kh, kw]) initialised by {@code nn.init.xavier_uniform_}: uniform in
     * +-sqrt(6 / (fan_in + fan_out)).
     */
    public static UnusedTorchTensor xavierUniform(String key, long[] shape) {
        long receptive = 1;
        for (int d = 2; d < shape.length; d++) {
            receptive *= shape[d];
        }
        double bound = Math.sqrt(6.0 / ((shape[0] + shape[1]) * receptive));
        return new UnusedTorchTensor(key, shape.clone(), FLOAT, -bound, bound);
    }

    /** {@code torch.nn.BatchNorm2d(channels)} named {@code module} as constructed: weight 1, bias 0, statistics 0/1. */
    public static List<UnusedTorchTensor> batchNorm(String module, long channels) {
        long[] shape = {channels};
        return List.of(new UnusedTorchTensor(module + ".weight", shape, FLOAT, 1, 1),
                new UnusedTorchTensor(module + ".bias", shape, FLOAT, 0, 0),
                new UnusedTorchTensor(module + ".running_mean", shape, FLOAT, 0, 0),
                new UnusedTorchTensor(module + ".running_var", shape, FLOAT, 1, 1),
                new UnusedTorchTensor(module + ".num_batches_tracked", new long[0], "LongStorage", 0, 0));
    }
}
