package dev.proxyanchor.datasets.image;

/**
 * The one image decoder of the job and the tests, chosen here and nowhere else: the header is read and checked
 * against {@link ImageLimits}, then {@link OpenCvDecoder} (libjpeg-turbo, libpng) decodes what it reads the way
 * Pillow does, and {@link ImageIoDecoder} (the JDK's own readers, never a plug-in that happens to be on the class
 * path) decodes the rest: CMYK and YCCK JPEGs, GIF, BMP, TIFF.
 */
public final class ImageDecoders {

    private static final ImageDecoder FAST = new OpenCvDecoder();
    private static final ImageDecoder FALLBACK = new ImageIoDecoder();

    private ImageDecoders() {}

    /**
     * @param source where the bytes came from, for messages
     * @throws dev.proxyanchor.datasets.DatasetException naming {@code source} when the bytes are not a complete image
     *     a decoder reads, or exceed {@link ImageLimits}
     */
    public static RgbImage decode(byte[] bytes, String source) {
        ImageHeader header = ImageHeader.read(bytes, source);
        if (header.format() != ImageHeader.Format.OTHER) {
            ImageLimits.check(header, source);
        }
        return (FAST.reads(header) ? FAST : FALLBACK).decode(bytes, header, source);
    }

    /** The fast decoder, for tests that compare the two. */
    static ImageDecoder fast() {
        return FAST;
    }

    /** The fallback decoder, for tests that compare the two. */
    static ImageDecoder fallback() {
        return FALLBACK;
    }
}
