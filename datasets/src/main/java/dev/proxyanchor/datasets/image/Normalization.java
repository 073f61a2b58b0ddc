package dev.proxyanchor.datasets.image;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Turns 8-bit RGB values into a network's input values: channel order, scale, mean and standard deviation per
 * channel, network channel {@code c} receiving {@code (value * scale - mean[c]) / std[c]}. Writes one image in CHW
 * layout. The numbers come from the network's side (spark-job hands over a backbone's input spec); this module never
 * sees a network.
 */
public final class Normalization implements Serializable {

    /** The channels a network reads, in its order. */
    public enum Channels {
        RGB, BGR,
        /** One channel: PIL's {@code convert("L")} luma. */
        GREY
    }

    private final int channels;
    private final boolean bgr;
    private final float[] multiplier;
    private final float[] offset;

    /**
     * @param mean per network channel, in the network's channel order
     * @param std  per network channel, in the network's channel order
     */
    public Normalization(Channels order, double scale, double[] mean, double[] std) {
        this.channels = order == Channels.GREY ? 1 : 3;
        if (mean.length != channels || std.length != channels) {
            throw new IllegalArgumentException(order + " needs " + channels + " means and stds, got "
                    + Arrays.toString(mean) + " and " + Arrays.toString(std));
        }
        this.bgr = order == Channels.BGR;
        this.multiplier = new float[channels];
        this.offset = new float[channels];
        for (int c = 0; c < channels; c++) {
            multiplier[c] = (float) (scale / std[c]);
            offset[c] = (float) (-mean[c] / std[c]);
        }
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
