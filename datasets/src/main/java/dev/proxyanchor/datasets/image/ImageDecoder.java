package dev.proxyanchor.datasets.image;

/**
 * Decodes the bytes of an image file to 8-bit RGB as Pillow's {@code Image.open(...).convert("RGB")} does. The job
 * and the tests reach decoders through {@link ImageDecoders}, which reads the header, applies {@link ImageLimits}
 * and picks the fast decoder where it reads the file, the fallback otherwise.
 */
public interface ImageDecoder {

    /** Whether this decoder reads files with this header. */
    boolean reads(ImageHeader header);

    /**
     * @param header the file's header, already checked against {@link ImageLimits}
     * @param source where the bytes came from, for messages
     * @throws dev.proxyanchor.datasets.DatasetException naming {@code source} when the bytes are not a complete image
     */
    RgbImage decode(byte[] bytes, ImageHeader header, String source);
}
