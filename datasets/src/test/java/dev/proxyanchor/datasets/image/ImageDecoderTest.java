package dev.proxyanchor.datasets.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxyanchor.datasets.DatasetException;
import dev.proxyanchor.datasets.TestImages;
import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.Test;

class ImageDecoderTest {

    /** JPEG is lossy; flat colours come back within a few levels. */
    private static final int JPEG_TOLERANCE = 4;

    private static void assertRgb(int expectedRgb, int actualRgb, int tolerance) {
        for (int shift = 16; shift >= 0; shift -= 8) {
            int expected = expectedRgb >>> shift & 0xFF;
            int actual = actualRgb >>> shift & 0xFF;
            assertTrue(Math.abs(expected - actual) <= tolerance, String.format("expected %06x, got %06x",
                    expectedRgb, actualRgb));
        }
    }

    /** A 4-channel JPEG as Photoshop writes it: raw channels plus an Adobe APP14 marker with the transform. */
    private static byte[] fourChannelJpeg(int[] channels, int adobeTransform) throws IOException {
        WritableRaster raster = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, 16, 16, 4, null);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                raster.setPixel(x, y, channels);
            }
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(raster, null, null), null);
        } finally {
            writer.dispose();
        }
        byte[] jpeg = bytes.toByteArray();
        byte[] app14 = {(byte) 0xFF, (byte) 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0,
                (byte) adobeTransform};
        byte[] withMarker = new byte[jpeg.length + app14.length];
        System.arraycopy(jpeg, 0, withMarker, 0, 2);
        System.arraycopy(app14, 0, withMarker, 2, app14.length);
        System.arraycopy(jpeg, 2, withMarker, 2 + app14.length, jpeg.length - 2);
        return withMarker;
    }

    @Test
    void rgbJpegDecodes() {
        BufferedImage image = TestImages.pattern(40, 30, 1);
        RgbImage decoded = ImageDecoder.decode(TestImages.encode(image, "png"), "p.png");
        assertEquals(40, decoded.width());
        assertEquals(30, decoded.height());
        assertEquals(image.getRGB(7, 9) & 0xFFFFFF, decoded.pixels()[9 * 40 + 7]);
        assertEquals(30, ImageDecoder.decode(TestImages.encode(image, "jpg"), "p.jpg").height());
    }

    @Test
    void greyImagesKeepTheirValuesInAllThreeChannels() {
        BufferedImage grey = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSample(3, 2, 0, 128);
        RgbImage png = ImageDecoder.decode(TestImages.encode(grey, "png"), "grey.png");
        assertEquals(0x808080, png.pixels()[2 * 8 + 3]);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                grey.getRaster().setSample(x, y, 0, 90);
            }
        }
        RgbImage jpeg = ImageDecoder.decode(TestImages.encode(grey, "jpg"), "grey.jpg");
        assertRgb(0x5A5A5A, jpeg.pixels()[20], 1);
    }

    @Test
    void alphaIsDropped() {
        BufferedImage argb = new BufferedImage(4, 4, BufferedImage.TYPE_INT_ARGB);
        argb.setRGB(1, 1, 0x80FF2010);
        assertEquals(0xFF2010, ImageDecoder.decode(TestImages.encode(argb, "png"), "a.png").pixels()[5]);
    }

    @Test
    void adobeCmykJpegIsConvertedLikePil() throws IOException {
        // Adobe stores 255 - ink. Pure red is C=0, M=255, Y=255, K=0: stored (255, 0, 0, 255).
        assertRgb(0xFF0000, ImageDecoder.decode(fourChannelJpeg(new int[] {255, 0, 0, 255}, 0), "red.jpg")
                .pixels()[0], JPEG_TOLERANCE);
        // 40% cyan with 20% black: R = (255 - 102) * (255 - 51) / 255 = 122, G = B = 204.
        assertRgb(0x7ACCCC, ImageDecoder.decode(fourChannelJpeg(new int[] {153, 255, 255, 204}, 0), "c.jpg")
                .pixels()[0], JPEG_TOLERANCE);
    }

    @Test
    void adobeYcckJpegIsConvertedLikePil() throws IOException {
        // YCCK holds the C, M, Y ink as YCbCr and K as stored (inverted). Ink C=0, M=255, Y=255 is the RGB triple
        // (0, 255, 255) coded as YCbCr; K stored 255 means no black: the colour is pure red.
        int y = (int) Math.round(0.587 * 255 + 0.114 * 255);
        int cb = (int) Math.round(128 - 0.331264 * 255 + 0.5 * 255);
        int cr = (int) Math.round(128 - 0.418688 * 255 - 0.081312 * 255);
        assertRgb(0xFF0000, ImageDecoder.decode(fourChannelJpeg(new int[] {y, cb, cr, 255}, 2), "ycck.jpg")
                .pixels()[0], JPEG_TOLERANCE + 2);
    }

    @Test
    void truncatedJpegIsAnErrorNamingTheFile() {
        byte[] jpeg = TestImages.encode(TestImages.pattern(200, 150, 3), "jpg");
        DatasetException e = assertThrows(DatasetException.class,
                () -> ImageDecoder.decode(Arrays.copyOf(jpeg, jpeg.length / 2), "hdfs://nn/cub/bird.jpg"));
        assertTrue(e.getMessage().contains("hdfs://nn/cub/bird.jpg") && e.getMessage().contains("truncated"),
                e.getMessage());
    }

    @Test
    void truncatedPngIsAnErrorNamingTheFile() {
        byte[] png = TestImages.encode(TestImages.pattern(200, 150, 3), "png");
        DatasetException e = assertThrows(DatasetException.class,
                () -> ImageDecoder.decode(Arrays.copyOf(png, png.length / 2), "x/cut.png"));
        assertTrue(e.getMessage().contains("x/cut.png"), e.getMessage());
    }

    @Test
    void bytesThatAreNoImageAreAnErrorNamingTheFile() {
        DatasetException e = assertThrows(DatasetException.class,
                () -> ImageDecoder.decode("<html>moved</html>".getBytes(), "car_ims/000001.jpg"));
        assertTrue(e.getMessage().contains("car_ims/000001.jpg") && e.getMessage().contains("format"),
                e.getMessage());
    }
}
