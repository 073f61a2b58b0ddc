package dev.proxyanchor.spark.data;

import dev.proxyanchor.datasets.image.ImageTransform;
import dev.proxyanchor.datasets.image.ImageTransforms;
import dev.proxyanchor.datasets.image.Normalization;
import dev.proxyanchor.model.backbones.InputSpec;
import java.util.List;

/**
 * A backbone's {@link InputSpec} (model) as the datasets module's transforms, which take plain numbers: the one place
 * where the network's side meets the image side.
 */
public final class InputTransforms {

    private InputTransforms() {
    }

    public static ImageTransform training(InputSpec spec) {
        return ImageTransforms.training(normalization(spec), spec.size(),
                spec.augmentation() == InputSpec.Augmentation.RANDOM_RESIZED_CROP_AND_FLIP);
    }

    public static ImageTransform evaluation(InputSpec spec) {
        return ImageTransforms.evaluation(normalization(spec), spec.evalResize(), spec.size());
    }

    static Normalization normalization(InputSpec spec) {
        Normalization.Channels channels = switch (spec.channels()) {
            case RGB -> Normalization.Channels.RGB;
            case BGR -> Normalization.Channels.BGR;
            case GREY -> Normalization.Channels.GREY;
        };
        return new Normalization(channels, spec.scale(), values(spec.mean()), values(spec.std()));
    }

    private static double[] values(List<Double> list) {
        return list.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
