package dev.proxyanchor.datasets.image;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one image decoder of the job and the tests, chosen here and nowhere else: the header is read and checked
 * against {@link ImageLimits}, then the first decoder of the chain that reads the file decodes it the way Pillow
 * does: {@link TurboJpegDecoder} (the system's libjpeg-turbo, with SIMD) for JPEG where the library is installed,
 * {@link OpenCvDecoder} (libjpeg-turbo without SIMD and libpng, inside the job's jar) for PNG and for JPEG where it is
 * not, and {@link ImageIoDecoder} (the JDK's own readers, never a plug-in that happens to be on the class path) for
 * the rest: CMYK and YCCK JPEGs, GIF, BMP, TIFF.
 */
public final class ImageDecoders {

    private static final Logger log = LoggerFactory.getLogger(ImageDecoders.class);

    /** Where JPEGs are decoded without the system library, and how to get it. */
    static final String WITHOUT_TURBOJPEG = "JPEGs are decoded by OpenCV's bundled libjpeg-turbo, built without SIMD "
            + "and about 2x slower; install libturbojpeg0 (Debian; libturbojpeg on Ubuntu) on every machine that "
            + "decodes images";

    private static final List<ImageDecoder> CHAIN = build();

    private ImageDecoders() {}

    private static List<ImageDecoder> build() {
        List<ImageDecoder> chain = new ArrayList<>();
        if (TurboJpeg.loaded().available()) {
            log.info("JPEG decoding: {}", TurboJpeg.loaded().description());
            chain.add(new TurboJpegDecoder());
        } else {
            log.warn("{}: {}", TurboJpeg.loaded().description(), WITHOUT_TURBOJPEG);
        }
        chain.add(new OpenCvDecoder());
        chain.add(new ImageIoDecoder());
        return List.copyOf(chain);
    }

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
        for (ImageDecoder decoder : CHAIN) {
            if (decoder.reads(header)) {
                return decoder.decode(bytes, header, source);
            }
        }
        throw new IllegalStateException("the last decoder of the chain reads every file");
    }

    /** Which library decodes JPEGs in this JVM, for benchmark reports and {@code info}. */
    public static String jpegDecoder() {
        return TurboJpeg.loaded().available() ? TurboJpeg.loaded().description()
                : "OpenCV's bundled libjpeg-turbo (no SIMD; " + TurboJpeg.loaded().description() + ")";
    }

    /** The chain in the order {@link #decode} tries it, for tests that run every decoder. */
    static List<ImageDecoder> chain() {
        return CHAIN;
    }
}
