package dev.proxyanchor.model.layers.onednn;

/**
 * One 2-D convolution's shapes in oneDNN's terms (NCHW data, OIHW weights). Padding may be asymmetric: DL4J's
 * {@code Same} mode pads the extra row and column at the bottom and right, and {@code Truncate} mode can leave the
 * last input rows unused (negative bottom padding). Dilation counts the gaps between kernel taps (DL4J's minus one).
 */
record ConvGeometry(long batch, long inChannels, long inH, long inW, long outChannels, long kH, long kW,
                    long outH, long outW, long strideH, long strideW, long padTop, long padLeft, long dilationH,
                    long dilationW, boolean bias) {

    long padBottom() {
        return (outH - 1) * strideH + (kH - 1) * (dilationH + 1) + 1 - inH - padTop;
    }

    long padRight() {
        return (outW - 1) * strideW + (kW - 1) * (dilationW + 1) + 1 - inW - padLeft;
    }

    long[] src() {
        return new long[] {batch, inChannels, inH, inW};
    }

    long[] weights() {
        return new long[] {outChannels, inChannels, kH, kW};
    }

    long[] dst() {
        return new long[] {batch, outChannels, outH, outW};
    }

    long[] strides() {
        return new long[] {strideH, strideW};
    }

    long[] dilation() {
        return new long[] {dilationH, dilationW};
    }

    long[] padL() {
        return new long[] {padTop, padLeft};
    }

    long[] padR() {
        return new long[] {padBottom(), padRight()};
    }
}
