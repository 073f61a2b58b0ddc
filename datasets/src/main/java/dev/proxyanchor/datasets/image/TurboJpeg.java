package dev.proxyanchor.datasets.image;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import java.lang.ref.Cleaner;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The system's TurboJPEG library ({@code libturbojpeg.so.0}: Debian's {@code libturbojpeg0}, Ubuntu's
 * {@code libturbojpeg}) through JNA direct mapping. Distributions build libjpeg-turbo with its SIMD code, which the
 * copy inside OpenCV 4.5.5's JavaCPP build (the newest ND4J 1.0.0-M2.1's JavaCPP 1.5.7 allows) lacks: the same
 * photographs decode about twice as fast here. Only the calls {@link TurboJpegDecoder} makes are bound.
 */
final class TurboJpeg {

    /** {@code TJPF_BGRX}: on a little-endian machine each pixel lands in an int as {@code 0xXXRRGGBB}. */
    static final int PIXEL_FORMAT_BGRX = 3;
    /** {@code TJFLAG_ACCURATEDCT}: the integer IDCT ({@code JDCT_ISLOW}) Pillow decodes with. */
    static final int FLAG_ACCURATE_DCT = 4096;
    /** {@code TJERR_WARNING}: libjpeg warned but decoded the whole image, which Pillow accepts too. */
    static final int ERROR_WARNING = 0;

    /** The library's file names, tried in order: the development link first, then the runtime package's soname. */
    private static final List<String> NAMES = List.of("turbojpeg", "libturbojpeg.so.0");
    private static final Logger log = LoggerFactory.getLogger(TurboJpeg.class);
    private static final Cleaner CLEANER = Cleaner.create();
    private static final Loaded LOADED = load();

    private TurboJpeg() {}

    /** Whether the library is loaded, and from which file or why not. */
    record Loaded(boolean available, String description) {}

    static Loaded loaded() {
        return LOADED;
    }

    private static Loaded load() {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            return new Loaded(false, "libturbojpeg not used on a big-endian machine");
        }
        for (String name : NAMES) {
            try {
                NativeLibrary library = NativeLibrary.getInstance(name);
                Native.register(TurboJpeg.class, library);
                return new Loaded(true, "libturbojpeg (" + Optional.ofNullable(library.getFile())
                        .map(Object::toString).orElse(name) + ")");
            } catch (LinkageError e) {
                log.debug("libturbojpeg as {}: {}", name, e.getMessage());
            }
        }
        return new Loaded(false, "no libturbojpeg.so.0 (libjpeg-turbo 2.0 or newer) on the library path");
    }

    /**
     * One decompressor. TurboJPEG handles are not thread-safe, so each decoding thread keeps its own; the native
     * handle is destroyed once its thread is gone and nothing holds it any more.
     */
    static final class Decompressor {
        final Pointer handle;

        Decompressor() {
            handle = tjInitDecompress();
            if (handle == null) {
                throw new IllegalStateException("libturbojpeg could not create a decompressor: " + tjGetErrorStr2(null));
            }
            Pointer owned = handle;
            CLEANER.register(this, () -> tjDestroy(owned));
        }
    }

    static native Pointer tjInitDecompress();

    static native int tjDecompressHeader3(Pointer handle, byte[] jpeg, NativeLong size, int[] width, int[] height,
            int[] subsampling, int[] colorspace);

    static native int tjDecompress2(Pointer handle, byte[] jpeg, NativeLong size, int[] destination, int width,
            int pitch, int height, int pixelFormat, int flags);

    static native int tjGetErrorCode(Pointer handle);

    static native String tjGetErrorStr2(Pointer handle);

    static native int tjDestroy(Pointer handle);
}
