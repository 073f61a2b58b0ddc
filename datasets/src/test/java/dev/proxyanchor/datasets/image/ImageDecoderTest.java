package dev.proxyanchor.datasets.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxyanchor.datasets.DatasetException;
import dev.proxyanchor.datasets.TestImages;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** What every decoder of the chain does with ordinary files, and what the decoder in front of them refuses. */
class ImageDecoderTest {

    /** JPEG is lossy; flat colours come back within a few levels. */
    private static final int JPEG_TOLERANCE = 4;

    static List<ImageDecoder> decoders() {
        return ImageDecoders.chain();
    }

    static List<ImageDecoder> pngDecoders() {
        ImageHeader png = ImageHeader.read(TestImages.encode(TestImages.pattern(2, 2, 1), "png"), "p.png");
        return ImageDecoders.chain().stream().filter(d -> d.reads(png)).toList();
    }

    private static RgbImage decode(ImageDecoder decoder, byte[] bytes, String source) {
        ImageHeader header = ImageHeader.read(bytes, source);
        assertTrue(decoder.reads(header), decoder + " reads " + source);
        return decoder.decode(bytes, header, source);
    }

    private static void assertRgb(int expectedRgb, int actualRgb, int tolerance) {
        for (int shift = 16; shift >= 0; shift -= 8) {
            int expected = expectedRgb >>> shift & 0xFF;
            int actual = actualRgb >>> shift & 0xFF;
            assertTrue(Math.abs(expected - actual) <= tolerance, String.format("expected %06x, got %06x",
                    expectedRgb, actualRgb));
        }
    }

    @ParameterizedTest
    @MethodSource("decoders")
    void pngIsExactAndJpegHasItsSize(ImageDecoder decoder) {
        BufferedImage image = TestImages.pattern(40, 30, 1);
        if (pngDecoders().contains(decoder)) {
            RgbImage decoded = decode(decoder, TestImages.encode(image, "png"), "p.png");
            assertEquals(40, decoded.width());
            assertEquals(30, decoded.height());
            assertEquals(image.getRGB(7, 9) & 0xFFFFFF, decoded.pixels()[9 * 40 + 7]);
        }
        RgbImage jpeg = decode(decoder, TestImages.encode(image, "jpg"), "p.jpg");
        assertEquals(40, jpeg.width());
        assertEquals(30, jpeg.height());
    }

    @ParameterizedTest
    @MethodSource("decoders")
    void everyPixelLeavesItsTopByteEmpty(ImageDecoder decoder) {
        RgbImage jpeg = decode(decoder, TestImages.encode(TestImages.pattern(33, 17, 5), "jpg"), "p.jpg");
        assertTrue(Arrays.stream(jpeg.pixels()).allMatch(p -> (p & 0xFF000000) == 0));
    }

    /** setup-debian.sh installs libturbojpeg0, so CI must decode JPEGs with it rather than fall back quietly. */
    @Test
    void jpegsGoToTheSystemsLibjpegTurboWhereItIsInstalled() {
        ImageHeader jpeg = ImageHeader.read(TestImages.encode(TestImages.pattern(8, 8, 1), "jpg"), "p.jpg");
        ImageDecoder first = ImageDecoders.chain().stream().filter(d -> d.reads(jpeg)).findFirst().orElseThrow();
        if ("true".equals(System.getenv("CI")) || first instanceof TurboJpegDecoder) {
            assertTrue(first instanceof TurboJpegDecoder, "JPEGs are decoded by " + first + ", not libturbojpeg: "
                    + ImageDecoders.jpegDecoder());
            assertTrue(ImageDecoders.jpegDecoder().startsWith("libturbojpeg ("), ImageDecoders.jpegDecoder());
        } else {
            assertTrue(first instanceof OpenCvDecoder, first.toString());
            assertTrue(ImageDecoders.jpegDecoder().contains("no SIMD"), ImageDecoders.jpegDecoder());
        }
    }

    @ParameterizedTest
    @MethodSource("decoders")
    void greyImagesKeepTheirValuesInAllThreeChannels(ImageDecoder decoder) {
        BufferedImage grey = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSample(3, 2, 0, 128);
        if (pngDecoders().contains(decoder)) {
            RgbImage png = decode(decoder, TestImages.encode(grey, "png"), "grey.png");
            assertEquals(0x808080, png.pixels()[2 * 8 + 3]);
        }
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                grey.getRaster().setSample(x, y, 0, 90);
            }
        }
        RgbImage jpeg = decode(decoder, TestImages.encode(grey, "jpg"), "grey.jpg");
        assertRgb(0x5A5A5A, jpeg.pixels()[20], 1);
    }

    @ParameterizedTest
    @MethodSource("pngDecoders")
    void alphaIsDropped(ImageDecoder decoder) {
        BufferedImage argb = new BufferedImage(4, 4, BufferedImage.TYPE_INT_ARGB);
        argb.setRGB(1, 1, 0x80FF2010);
        assertEquals(0xFF2010, decode(decoder, TestImages.encode(argb, "png"), "a.png").pixels()[5]);
    }

    @Test
    void fourChannelJpegsGoToTheFallback() throws IOException {
        ImageHeader cmyk = ImageHeader.read(FourChannelJpeg.write(new int[] {255, 0, 0, 255}, 0), "c.jpg");
        assertEquals(4, cmyk.components());
        assertEquals(List.of(ImageIoDecoder.class), ImageDecoders.chain().stream().filter(d -> d.reads(cmyk))
                .map(Object::getClass).toList());
    }

    @Test
    void adobeCmykJpegIsConvertedLikePil() throws IOException {
        // Adobe stores 255 - ink. Pure red is C=0, M=255, Y=255, K=0: stored (255, 0, 0, 255).
        assertRgb(0xFF0000, ImageDecoders.decode(FourChannelJpeg.write(new int[] {255, 0, 0, 255}, 0), "red.jpg")
                .pixels()[0], JPEG_TOLERANCE);
        // 40% cyan with 20% black: R = (255 - 102) * (255 - 51) / 255 = 122, G = B = 204.
        assertRgb(0x7ACCCC, ImageDecoders.decode(FourChannelJpeg.write(new int[] {153, 255, 255, 204}, 0), "c.jpg")
                .pixels()[0], JPEG_TOLERANCE);
    }

    @Test
    void adobeYcckJpegIsConvertedLikePil() throws IOException {
        // YCCK holds the C, M, Y ink as YCbCr and K as stored (inverted). Ink C=0, M=255, Y=255 is the RGB triple
        // (0, 255, 255) coded as YCbCr; K stored 255 means no black: the colour is pure red.
        int y = (int) Math.round(0.587 * 255 + 0.114 * 255);
        int cb = (int) Math.round(128 - 0.331264 * 255 + 0.5 * 255);
        int cr = (int) Math.round(128 - 0.418688 * 255 - 0.081312 * 255);
        assertRgb(0xFF0000, ImageDecoders.decode(FourChannelJpeg.write(new int[] {y, cb, cr, 255}, 2), "ycck.jpg")
                .pixels()[0], JPEG_TOLERANCE + 2);
    }

    @Test
    void truncatedJpegIsAnErrorNamingTheFile() {
        byte[] jpeg = TestImages.encode(TestImages.pattern(200, 150, 3), "jpg");
        DatasetException e = assertThrows(DatasetException.class,
                () -> ImageDecoders.decode(Arrays.copyOf(jpeg, jpeg.length / 2), "hdfs://nn/cub/bird.jpg"));
        assertTrue(e.getMessage().contains("hdfs://nn/cub/bird.jpg") && e.getMessage().contains("truncated"),
                e.getMessage());
    }

    @Test
    void truncatedPngIsAnErrorNamingTheFile() {
        byte[] png = TestImages.encode(TestImages.pattern(200, 150, 3), "png");
        DatasetException e = assertThrows(DatasetException.class,
                () -> ImageDecoders.decode(Arrays.copyOf(png, png.length / 2), "x/cut.png"));
        assertTrue(e.getMessage().contains("x/cut.png") && e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void bytesThatAreNoImageAreAnErrorNamingTheFile() {
        DatasetException e = assertThrows(DatasetException.class,
                () -> ImageDecoders.decode("<html>moved</html>".getBytes(), "car_ims/000001.jpg"));
        assertTrue(e.getMessage().contains("car_ims/000001.jpg") && e.getMessage().contains("format"),
                e.getMessage());
    }

    @Test
    void aFormatNoDecoderReadsIsNamed() {
        byte[] webp = "RIFF\0\0\0\0WEBPVP8 ".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        DatasetException e = assertThrows(DatasetException.class, () -> ImageDecoders.decode(webp, "a/b.jpg"));
        assertTrue(e.getMessage().contains("a/b.jpg") && e.getMessage().contains("WebP"), e.getMessage());
    }

    @Test
    void aTinyPngClaimingTenGigapixelsIsRefusedBeforeAnyAllocation() {
        byte[] png = HostileImages.pngClaiming(TestImages.encode(TestImages.pattern(8, 8, 1), "png"), 100_000,
                100_000);
        DatasetException e = assertThrows(DatasetException.class, () -> ImageDecoders.decode(png, "bomb.png"));
        assertTrue(e.getMessage().contains("bomb.png") && e.getMessage().contains("100000 x 100000"),
                e.getMessage());
    }

    @Test
    void aTinyJpegClaimingMorePixelsThanItsDataCanHoldIsRefused() {
        byte[] jpeg = HostileImages.jpegClaiming(TestImages.encode(TestImages.pattern(16, 16, 1), "jpg"), 30_000,
                30_000);
        DatasetException e = assertThrows(DatasetException.class, () -> ImageDecoders.decode(jpeg, "bomb.jpg"));
        assertTrue(e.getMessage().contains("bomb.jpg") && e.getMessage().contains("30000 x 30000"), e.getMessage());
    }
}
