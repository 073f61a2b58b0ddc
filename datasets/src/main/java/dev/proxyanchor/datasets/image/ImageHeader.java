package dev.proxyanchor.datasets.image;

import dev.proxyanchor.datasets.DatasetException;

/**
 * What an image file says about itself before any pixel is decoded, read from its bytes: the format, the size and
 * the number of colour components (0 where the format is left to the fallback decoder to read). JPEG and PNG files are
 * walked to their end marker here, so a truncated file is refused before a decoder fills its missing part with grey,
 * and a file whose header claims far more pixels than its bytes can hold is refused before anything is allocated.
 *
 * @param progressive a progressive JPEG, whose size in bytes does not bound its pixels
 * @param dataBytes   the compressed pixel data: JPEG entropy-coded segments or PNG {@code IDAT} chunks
 */
public record ImageHeader(Format format, int width, int height, int components, boolean progressive,
                          long dataBytes) {

    /** The formats told apart by their signature. */
    public enum Format { JPEG, PNG, OTHER }

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

    /**
     * @throws DatasetException naming {@code source} when a JPEG or PNG is truncated or its structure is broken
     */
    public static ImageHeader read(byte[] bytes, String source) {
        if (bytes.length >= 3 && (bytes[0] & 0xFF) == 0xFF && (bytes[1] & 0xFF) == 0xD8 && (bytes[2] & 0xFF) == 0xFF) {
            return Jpeg.walk(bytes, source);
        }
        if (bytes.length >= PNG_SIGNATURE.length && java.util.Arrays.equals(bytes, 0, PNG_SIGNATURE.length,
                PNG_SIGNATURE, 0, PNG_SIGNATURE.length)) {
            return Png.walk(bytes, source);
        }
        return new ImageHeader(Format.OTHER, 0, 0, 0, false, bytes.length);
    }

    /** The pixel count the header claims. */
    public long pixels() {
        return (long) width * height;
    }

    static DatasetException broken(String source, String format, String why) {
        return new DatasetException("cannot decode image " + source + ": " + why + " (" + format + "). Replace or "
                + "remove the file (re-extract the dataset if it came from an archive).");
    }

    /** The JPEG marker structure: segments with lengths, entropy-coded data after each SOS, EOI at the end. */
    private static final class Jpeg {

        static ImageHeader walk(byte[] b, String source) {
            int width = -1;
            int height = -1;
            int components = 0;
            boolean progressive = false;
            long entropyBytes = 0;
            int scans = 0;
            int at = 2;
            while (true) {
                // Markers may be preceded by any number of 0xFF fill bytes.
                if (at >= b.length) {
                    throw broken(source, "JPEG", "it is truncated: the file ends before its end-of-image marker");
                }
                if ((b[at] & 0xFF) != 0xFF) {
                    throw broken(source, "JPEG", "corrupt marker structure at byte " + at);
                }
                while (at < b.length && (b[at] & 0xFF) == 0xFF) {
                    at++;
                }
                if (at >= b.length) {
                    throw broken(source, "JPEG", "it is truncated: the file ends before its end-of-image marker");
                }
                int marker = b[at++] & 0xFF;
                if (marker == 0xD9) {
                    if (width < 0) {
                        throw broken(source, "JPEG", "it has no frame header (SOF)");
                    }
                    return new ImageHeader(Format.JPEG, width, height, components, progressive, entropyBytes);
                }
                if (marker >= 0xD0 && marker <= 0xD7 || marker == 0x01) {
                    continue;
                }
                if (at + 2 > b.length) {
                    throw broken(source, "JPEG", "it is truncated inside a segment header");
                }
                int length = (b[at] & 0xFF) << 8 | b[at + 1] & 0xFF;
                if (length < 2 || at + length > b.length) {
                    throw broken(source, "JPEG", length < 2 ? "a segment of impossible length " + length
                            : "it is truncated: a segment runs past the end of the file");
                }
                if (isStartOfFrame(marker)) {
                    if (length < 8) {
                        throw broken(source, "JPEG", "its frame header is too short");
                    }
                    height = (b[at + 3] & 0xFF) << 8 | b[at + 4] & 0xFF;
                    width = (b[at + 5] & 0xFF) << 8 | b[at + 6] & 0xFF;
                    components = b[at + 7] & 0xFF;
                    progressive = marker == 0xC2 || marker == 0xC6 || marker == 0xCA || marker == 0xCE;
                    if (width == 0 || height == 0) {
                        throw broken(source, "JPEG", "its frame header gives a size of " + width + " x " + height);
                    }
                }
                at += length;
                if (marker == 0xDA) {
                    if (++scans > ImageLimits.MAX_JPEG_SCANS) {
                        throw new DatasetException("refusing image " + source + ": it has more than "
                                + ImageLimits.MAX_JPEG_SCANS + " scans (progressive JPEGs have about ten); each scan "
                                + "makes a decoder go over the whole image again, so such a file is corrupt or "
                                + "hostile; remove it.");
                    }
                    int start = at;
                    at = endOfEntropyData(b, at);
                    entropyBytes += at - start;
                }
            }
        }

        /** The start of the marker that ends the entropy-coded data from {@code at} (stuffed 0xFF00 and RSTn stay). */
        private static int endOfEntropyData(byte[] b, int at) {
            while (at < b.length) {
                if ((b[at] & 0xFF) == 0xFF && at + 1 < b.length) {
                    int next = b[at + 1] & 0xFF;
                    if (next != 0x00 && !(next >= 0xD0 && next <= 0xD7) && next != 0xFF) {
                        return at;
                    }
                }
                at++;
            }
            return at;
        }

        /** SOF0-SOF15 but DHT (C4), JPG (C8) and DAC (CC). */
        private static boolean isStartOfFrame(int marker) {
            return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
        }
    }

    /** The PNG chunk sequence: IHDR first, chunks whose lengths fit the file, IEND at the end. */
    private static final class Png {

        static ImageHeader walk(byte[] b, String source) {
            int at = PNG_SIGNATURE.length;
            int width = -1;
            int height = -1;
            int components = 0;
            long idatBytes = 0;
            while (true) {
                if (at + 8 > b.length) {
                    throw broken(source, "PNG", "it is truncated: the file ends before its IEND chunk");
                }
                long length = readInt(b, at) & 0xFFFFFFFFL;
                String type = new String(b, at + 4, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
                if (length > b.length - at - 12L) {
                    throw broken(source, "PNG", "it is truncated: chunk " + type + " of " + length
                            + " bytes runs past the end of the file");
                }
                int data = at + 8;
                if (width < 0 && !"IHDR".equals(type)) {
                    throw broken(source, "PNG", "its first chunk is " + type + ", not IHDR");
                }
                switch (type) {
                    case "IHDR" -> {
                        if (length < 13) {
                            throw broken(source, "PNG", "its IHDR chunk is too short");
                        }
                        width = readInt(b, data);
                        height = readInt(b, data + 4);
                        components = switch (b[data + 9]) {
                            case 0 -> 1;
                            case 2, 3 -> 3;
                            case 4 -> 2;
                            case 6 -> 4;
                            default -> throw broken(source, "PNG", "unknown colour type " + b[data + 9]);
                        };
                        if (width <= 0 || height <= 0) {
                            throw broken(source, "PNG", "its header gives a size of " + Integer.toUnsignedString(
                                    width) + " x " + Integer.toUnsignedString(height));
                        }
                    }
                    case "IDAT" -> idatBytes += length;
                    case "IEND" -> {
                        return new ImageHeader(Format.PNG, width, height, components, false, idatBytes);
                    }
                    default -> {
                    }
                }
                at = data + (int) length + 4;
            }
        }

        private static int readInt(byte[] b, int at) {
            return (b[at] & 0xFF) << 24 | (b[at + 1] & 0xFF) << 16 | (b[at + 2] & 0xFF) << 8 | b[at + 3] & 0xFF;
        }
    }
}
