package dev.proxyanchor.datasets.image;

import dev.proxyanchor.datasets.DatasetException;

/**
 * What a decoder may allocate for one image, checked against the header before any pixel is decoded, so that a small
 * hostile file (a "decompression bomb" claiming 100000 x 100000 pixels) is refused with a message instead of ending
 * the executor in an {@link OutOfMemoryError}:
 * <ul>
 *   <li>at most {@link #MAX_PIXELS}, Pillow's {@code DecompressionBombError} threshold (twice
 *       {@code Image.MAX_IMAGE_PIXELS}), so that every image the official code reads is read here too;</li>
 *   <li>no more pixels than the compressed data can hold: deflate expands at most 1032-fold (PNG), and a sequential
 *       JPEG spends at least one bit on every 8 x 8 block. A progressive JPEG can describe many blocks with one
 *       end-of-band run, so for it only the pixel limit applies.</li>
 *   <li>at most {@link #MAX_JPEG_SCANS} scans in a JPEG, checked as {@link ImageHeader} walks the file: a small
 *       progressive file with thousands of scans would keep a decoder busy for minutes.</li>
 * </ul>
 */
public final class ImageLimits {

    /** Pillow 9's {@code 2 * Image.MAX_IMAGE_PIXELS} (89,478,485). */
    public static final long MAX_PIXELS = 2L * 89_478_485;
    /** libjpeg-turbo's own limit when asked to limit scans ({@code TJFLAG_LIMITSCANS}, {@code djpeg -maxscans}). */
    public static final int MAX_JPEG_SCANS = 500;
    /** The largest file a decoder reads into memory. */
    public static final long MAX_FILE_BYTES = 1L << 30;
    private static final long DEFLATE_MAX_RATIO = 1032;

    private ImageLimits() {}

    /** @throws DatasetException naming {@code source} when the image would exceed a limit */
    public static void check(ImageHeader header, String source) {
        String format = header.format() == ImageHeader.Format.OTHER ? "image" : header.format().name();
        if (header.width() <= 0 || header.height() <= 0) {
            throw ImageHeader.broken(source, format, "its header gives a size of " + header.width() + " x "
                    + header.height());
        }
        if (header.pixels() > MAX_PIXELS) {
            throw new DatasetException("refusing image " + source + ": its header claims " + header.width() + " x "
                    + header.height() + " = " + header.pixels() + " pixels, more than the limit of " + MAX_PIXELS
                    + " (Pillow's decompression-bomb limit). Such a file is corrupt or hostile; remove it, or "
                    + "downscale it if it is a real photo.");
        }
        long minimumDataBytes = minimumDataBytes(header);
        if (header.dataBytes() < minimumDataBytes) {
            throw new DatasetException("refusing image " + source + ": its header claims " + header.width() + " x "
                    + header.height() + " pixels, which needs at least " + minimumDataBytes + " bytes of compressed "
                    + format + " data, but it has " + header.dataBytes() + ". The file is corrupt or hostile; "
                    + "remove it.");
        }
    }

    private static long minimumDataBytes(ImageHeader header) {
        return switch (header.format()) {
            case PNG -> {
                // One filter byte per row plus at least one bit per pixel, at most 1032 times deflated.
                long raw = header.height() * (1 + (header.width() + 7L) / 8);
                yield raw / DEFLATE_MAX_RATIO;
            }
            case JPEG -> header.progressive() ? 0 : ((header.width() + 7L) / 8) * ((header.height() + 7L) / 8) / 8;
            case OTHER -> 0;
        };
    }
}
