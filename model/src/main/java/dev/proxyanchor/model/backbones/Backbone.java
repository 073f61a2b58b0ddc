package dev.proxyanchor.model.backbones;

import java.util.List;
import java.util.Optional;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.inputs.InputType;

/**
 * A feature extractor the embedding head sits on: it adds its layers to a graph and ends in a C x H x W feature map.
 * Every layer it adds belongs to the backbone parameter group (its learning rate, its warm-up freeze).
 */
public interface Backbone {

    /** The name users type for {@code --model}. */
    String name();

    /** The image size and channels the backbone reads (NCHW). */
    InputType inputType();

    /**
     * How images are prepared for this backbone, as numbers (size, channel order, scale, mean, std, evaluation resize,
     * training augmentation): what its pretrained weights were trained with, and what the official code feeds it.
     */
    InputSpec inputSpec();

    /** Channels of the final feature map, i.e. the width the head's global pooling produces. */
    long featureChannels();

    /**
     * Adds the backbone's layers after {@code input}.
     *
     * @param bnFreeze the official {@code --bn-freeze}: BatchNorm layers normalise with, and keep, their running
     *                 statistics while training
     * @return the name of the vertex holding the final feature map
     */
    String addTo(GraphBuilder graph, String input, boolean bnFreeze);

    /**
     * The epsilon the official wrapper of this backbone adds under the square root of its {@code l2_norm}, the
     * embedding head's last step: 1e-12 in the ResNet and BN-Inception wrappers.
     */
    default double embeddingNormEps() {
        return 1e-12;
    }

    /** The ImageNet weights the official code starts this backbone from, if there are any. */
    default Optional<PretrainedSource> pretrained() {
        return Optional.empty();
    }

    /**
     * The tensors of this backbone's PyTorch class that it does not use (the ImageNet classifier): ignored when a
     * file is read, written by an export so that the official class loads it strictly.
     */
    default List<UnusedTorchTensor> unusedTorchTensors() {
        return List.of();
    }

    /**
     * The PyTorch module path ({@code layer1.0.conv1}) of one of this backbone's DL4J layers ({@code layer1_0_conv1}):
     * a state_dict key is this path, a dot and the tensor name. Layers are named after their PyTorch modules, with
     * dots replaced by underscores where the PyTorch path has dots.
     */
    default String torchModule(String layerName) {
        return layerName;
    }
}
