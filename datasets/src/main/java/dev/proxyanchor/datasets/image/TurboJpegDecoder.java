package dev.proxyanchor.datasets.image;

import com.sun.jna.NativeLong;
import dev.proxyanchor.datasets.DatasetException;

/**
 * The fast JPEG path: the system's libjpeg-turbo through its TurboJPEG API ({@link TurboJpeg}), with the settings
 * Pillow decodes with: the accurate integer IDCT and fancy upsampling (TurboJPEG's defaults but for the IDCT flag,
 * set explicitly), RGB out of one- and three-component files, EXIF orientation not applied (TurboJPEG never reads
 * it). Four-component (CMYK, YCCK) files are left to the fallback, which converts them as Pillow does. libjpeg's
 * warnings (a damaged stretch of entropy-coded data, extra bytes before a marker) do not stop decoding, as they do
 * not stop Pillow; a truncated file never gets here ({@link ImageHeader} refuses it).
 */
final class TurboJpegDecoder implements ImageDecoder {

    private final ThreadLocal<TurboJpeg.Decompressor> decompressors =
            ThreadLocal.withInitial(TurboJpeg.Decompressor::new);

    /** Only once {@link TurboJpeg#loaded()} says the library is there. */
    TurboJpegDecoder() {
        if (!TurboJpeg.loaded().available()) {
            throw new IllegalStateException(TurboJpeg.loaded().description());
        }
    }

    @Override
    public boolean reads(ImageHeader header) {
        return header.format() == ImageHeader.Format.JPEG && (header.components() == 1 || header.components() == 3);
    }

    @Override
    public RgbImage decode(byte[] bytes, ImageHeader header, String source) {
        TurboJpeg.Decompressor decompressor = decompressors.get();
        NativeLong size = new NativeLong(bytes.length);
        int[] width = new int[1];
        int[] height = new int[1];
        if (TurboJpeg.tjDecompressHeader3(decompressor.handle, bytes, size, width, height, new int[1], new int[1])
                != 0) {
            throw corrupt(source, decompressor);
        }
        if (width[0] != header.width() || height[0] != header.height()) {
            throw new IllegalStateException("libturbojpeg reads " + source + " as " + width[0] + " x " + height[0]
                    + ", its header says " + header.width() + " x " + header.height());
        }
        int[] pixels = new int[width[0] * height[0]];
        if (TurboJpeg.tjDecompress2(decompressor.handle, bytes, size, pixels, width[0], 0, height[0],
                TurboJpeg.PIXEL_FORMAT_BGRX, TurboJpeg.FLAG_ACCURATE_DCT) != 0
                && TurboJpeg.tjGetErrorCode(decompressor.handle) != TurboJpeg.ERROR_WARNING) {
            throw corrupt(source, decompressor);
        }
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] &= 0xFFFFFF;
        }
        return new RgbImage(width[0], height[0], pixels);
    }

    private static DatasetException corrupt(String source, TurboJpeg.Decompressor decompressor) {
        return new DatasetException("cannot decode image " + source + ": its JPEG data is corrupt (libjpeg-turbo: "
                + TurboJpeg.tjGetErrorStr2(decompressor.handle) + "). Replace or remove the file (re-extract the "
                + "dataset if it came from an archive).");
    }

    @Override
    public String toString() {
        return TurboJpeg.loaded().description();
    }
}
