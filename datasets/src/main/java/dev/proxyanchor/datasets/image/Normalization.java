package dev.proxyanchor.datasets.image;

import dev.proxyanchor.datasets.DatasetException;
import java.util.Locale;

/**
 * How a backbone expects its input values, as the official code prepares them: channel order, scale, mean and
 * standard deviation per channel. Writes one image in CHW layout.
 */
public enum Normalization {

    /**
     * torchvision ResNets, and GoogLeNet as the official code feeds it (its wrapper turns torchvision's
     * {@code transform_input} off): RGB scaled to [0,1], ImageNet mean and std.
     */
    IMAGENET_RGB(3, false, 1.0 / 255, new double[] {0.485, 0.456, 0.406}, new double[] {0.229, 0.224, 0.225}),
    /** The Caffe-trained BN-Inception: BGR in [0,255], mean (104, 117, 128) per BGR channel, std 1. */
    CAFFE_BGR(3, true, 1.0, new double[] {104, 117, 128}, new double[] {1, 1, 1}),
    /** The small Fashion-MNIST network: one grey channel in [0,1]. */
    GRAY_UNIT(1, false, 1.0 / 255, new double[] {0}, new double[] {1});

    private final int channels;
    private final boolean bgr;
    private final float[] multiplier;
    private final float[] offset;

    Normalization(int channels, boolean bgr, double scale, double[] mean, double[] std) {
        this.channels = channels;
        this.bgr = bgr;
        this.multiplier = new float[channels];
        this.offset = new float[channels];
        for (int c = 0; c < channels; c++) {
            multiplier[c] = (float) (scale / std[c]);
            offset[c] = (float) (-mean[c] / std[c]);
        }
    }

    /**
     * The normalisation of a backbone by the name users type: {@code resnet*}, {@code googlenet},
     * {@code bn_inception}, {@code small_cnn}.
     */
    public static Normalization forBackbone(String backbone) {
        String name = backbone == null ? "" : backbone.toLowerCase(Locale.ROOT);
        if (name.startsWith("resnet")) {
            return IMAGENET_RGB;
        }
        return switch (name) {
            case "googlenet" -> IMAGENET_RGB;
            case "bn_inception" -> CAFFE_BGR;
            case "small_cnn" -> GRAY_UNIT;
            default -> throw new DatasetException("unknown backbone '" + backbone + "' for image preprocessing; "
                    + "known: resnet18/34/50/101/152 (any resnet*), googlenet, bn_inception, small_cnn.");
        };
    }

    public int channels() {
        return channels;
    }

    /**
     * Writes the {@code window} of {@code planes} (values 0..255), mirrored left-right when {@code flip}, into
     * {@code out} from {@code at}: channel planes of window height x width, rows top to bottom.
     */
    public void write(RgbPlanes planes, CropBox window, boolean flip, float[] out, int at) {
        int area = window.width() * window.height();
        for (int y = 0; y < window.height(); y++) {
            int sourceRow = (window.top() + y) * planes.width() + window.left();
            for (int x = 0; x < window.width(); x++) {
                int source = sourceRow + (flip ? window.width() - 1 - x : x);
                int target = at + y * window.width() + x;
                float r = planes.red()[source];
                float g = planes.green()[source];
                float b = planes.blue()[source];
                if (channels == 1) {
                    // PIL's convert("L"): ITU-R 601-2 luma, exact for grey images.
                    out[target] = (r * 299 + g * 587 + b * 114) / 1000 * multiplier[0] + offset[0];
                } else {
                    float first = bgr ? b : r;
                    float last = bgr ? r : b;
                    out[target] = first * multiplier[0] + offset[0];
                    out[target + area] = g * multiplier[1] + offset[1];
                    out[target + 2 * area] = last * multiplier[2] + offset[2];
                }
            }
        }
    }
}
