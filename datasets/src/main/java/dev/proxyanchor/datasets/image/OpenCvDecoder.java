package dev.proxyanchor.datasets.image;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_IGNORE_ORIENTATION;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;

import dev.proxyanchor.datasets.DatasetException;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * The fast path: OpenCV's {@code imdecode} from the JavaCPP build (libjpeg-turbo for JPEG, libpng for PNG), with the
 * settings Pillow decodes with. Pillow (without draft mode) leaves libjpeg's defaults, the accurate integer IDCT
 * ({@code JDCT_ISLOW}) and fancy upsampling, and so does OpenCV; both ask libjpeg-turbo for RGB, so the pixels are the
 * same (the parity test compares them with Debian's Pillow). Pillow does not apply the EXIF orientation,
 * {@code IMREAD_IGNORE_ORIENTATION} makes OpenCV skip it too. Reads JPEGs of one or three components and every PNG
 * (grey, palette, alpha and 16-bit ones come out as 8-bit RGB, as Pillow's {@code convert("RGB")} gives them); four
 * component (CMYK, YCCK) JPEGs are left to the fallback, since OpenCV converts CMYK with its own rounding.
 */
public final class OpenCvDecoder implements ImageDecoder {

    @Override
    public boolean reads(ImageHeader header) {
        return header.format() == ImageHeader.Format.PNG
                || header.format() == ImageHeader.Format.JPEG && (header.components() == 1 || header.components() == 3);
    }

    @Override
    public RgbImage decode(byte[] bytes, ImageHeader header, String source) {
        try (Mat encoded = new Mat(1, bytes.length, CV_8UC1)) {
            encoded.data().put(bytes);
            try (Mat bgr = imdecode(encoded, IMREAD_COLOR | IMREAD_IGNORE_ORIENTATION)) {
                if (bgr.empty() || bgr.type() != CV_8UC3 || !bgr.isContinuous()) {
                    throw new DatasetException("cannot decode image " + source + ": its " + header.format()
                            + " data is corrupt (libjpeg-turbo/libpng through OpenCV gave up on it). Replace or "
                            + "remove the file (re-extract the dataset if it came from an archive).");
                }
                if (bgr.cols() != header.width() || bgr.rows() != header.height()) {
                    throw new IllegalStateException("OpenCV decoded " + source + " to " + bgr.cols() + " x "
                            + bgr.rows() + ", its header says " + header.width() + " x " + header.height());
                }
                return toRgb(bgr);
            }
        }
    }

    private static RgbImage toRgb(Mat bgr) {
        int width = bgr.cols();
        int height = bgr.rows();
        byte[] interleaved = new byte[width * height * 3];
        bgr.data().get(interleaved);
        int[] pixels = new int[width * height];
        for (int i = 0, j = 0; i < pixels.length; i++, j += 3) {
            pixels[i] = (interleaved[j + 2] & 0xFF) << 16 | (interleaved[j + 1] & 0xFF) << 8 | interleaved[j] & 0xFF;
        }
        return new RgbImage(width, height, pixels);
    }
}
