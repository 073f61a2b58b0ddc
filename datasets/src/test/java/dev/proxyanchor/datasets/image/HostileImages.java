package dev.proxyanchor.datasets.image;

import java.util.Arrays;
import java.util.zip.CRC32;

/** Valid files edited into hostile ones: headers that lie about the size. */
final class HostileImages {

    private HostileImages() {}

    /** {@code png} with its IHDR claiming {@code width x height} (CRC fixed, so only the size lies). */
    static byte[] pngClaiming(byte[] png, int width, int height) {
        byte[] out = Arrays.copyOf(png, png.length);
        int data = 8 + 8;
        putInt(out, data, width);
        putInt(out, data + 4, height);
        CRC32 crc = new CRC32();
        crc.update(out, 12, 4 + 13);
        putInt(out, data + 13, (int) crc.getValue());
        return out;
    }

    /** {@code jpeg} with its frame header (SOF) claiming {@code width x height}. */
    static byte[] jpegClaiming(byte[] jpeg, int width, int height) {
        byte[] out = Arrays.copyOf(jpeg, jpeg.length);
        int at = 2;
        while (at + 4 < out.length) {
            int marker = out[at + 1] & 0xFF;
            int length = (out[at + 2] & 0xFF) << 8 | out[at + 3] & 0xFF;
            if (marker >= 0xC0 && marker <= 0xC2) {
                out[at + 5] = (byte) (height >>> 8);
                out[at + 6] = (byte) height;
                out[at + 7] = (byte) (width >>> 8);
                out[at + 8] = (byte) width;
                return out;
            }
            at += 2 + length;
        }
        throw new IllegalArgumentException("no SOF0-2 segment before the scan");
    }

    /** The offset where the compressed data starts: after the JPEG scan header, or at the first PNG IDAT. */
    static int headerLength(byte[] image) {
        if ((image[0] & 0xFF) == 0xFF) {
            int at = 2;
            while (true) {
                int marker = image[at + 1] & 0xFF;
                int length = (image[at + 2] & 0xFF) << 8 | image[at + 3] & 0xFF;
                at += 2 + length;
                if (marker == 0xDA) {
                    return at;
                }
            }
        }
        int at = 8;
        while (true) {
            int length = (image[at] & 0xFF) << 24 | (image[at + 1] & 0xFF) << 16 | (image[at + 2] & 0xFF) << 8
                    | image[at + 3] & 0xFF;
            if (image[at + 4] == 'I' && image[at + 5] == 'D' && image[at + 6] == 'A' && image[at + 7] == 'T') {
                return at + 8;
            }
            at += 12 + length;
        }
    }

    private static void putInt(byte[] b, int at, int value) {
        b[at] = (byte) (value >>> 24);
        b[at + 1] = (byte) (value >>> 16);
        b[at + 2] = (byte) (value >>> 8);
        b[at + 3] = (byte) value;
    }
}
