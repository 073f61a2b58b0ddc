package dev.proxyanchor.datasets.image;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.proxyanchor.datasets.DatasetException;
import dev.proxyanchor.datasets.TestImages;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile and broken files against the decoder the job uses: every outcome is a decoded image or a
 * {@link DatasetException} naming the file, never another exception, an {@link OutOfMemoryError} or a hang.
 */
class ImageDecoderFuzzTest {

    private static final String SOURCE = "fuzz/sample.img";
    private static final Duration PER_CASE_BUDGET = Duration.ofMinutes(2);

    static List<String> formats() {
        return List.of("jpg", "png", "bmp", "gif");
    }

    private static byte[] sample(String format) {
        return TestImages.encode(TestImages.pattern(37, 29, 5), format);
    }

    /** Decodes or throws DatasetException naming the file; anything else fails the test. */
    private static void decodesOrRefuses(byte[] bytes, String what) {
        try {
            ImageDecoders.decode(bytes, SOURCE);
        } catch (DatasetException e) {
            assertTrue(e.getMessage().contains(SOURCE), what + ": " + e.getMessage());
        } catch (RuntimeException | Error e) {
            fail(what + ": " + e, e);
        }
    }

    @ParameterizedTest
    @MethodSource("formats")
    void truncationAtEveryHeaderByteAndAcrossTheDataIsRefused(String format) {
        byte[] file = sample(format);
        int header = format.equals("jpg") || format.equals("png") ? HostileImages.headerLength(file) : 64;
        assertTimeoutPreemptively(PER_CASE_BUDGET, () -> {
            for (int length = 0; length < file.length; length += length < header ? 1 : 7) {
                byte[] cut = Arrays.copyOf(file, length);
                if (format.equals("jpg") || format.equals("png")) {
                    assertThrows(DatasetException.class, () -> ImageDecoders.decode(cut, SOURCE),
                            format + " cut to " + length + " of " + file.length + " bytes");
                } else {
                    decodesOrRefuses(cut, format + " cut to " + length + " bytes");
                }
            }
        });
    }

    @ParameterizedTest
    @MethodSource("formats")
    void randomByteChangesDecodeOrAreRefused(String format) {
        byte[] file = sample(format);
        SplittableRandom random = new SplittableRandom(format.hashCode());
        assertTimeoutPreemptively(PER_CASE_BUDGET, () -> {
            for (int trial = 0; trial < 400; trial++) {
                byte[] mutated = file.clone();
                int changes = 1 + random.nextInt(4);
                for (int c = 0; c < changes; c++) {
                    // Mostly in the header, where lengths and sizes live.
                    int at = random.nextInt(random.nextBoolean() ? Math.min(200, file.length) : file.length);
                    mutated[at] = (byte) random.nextInt(256);
                }
                decodesOrRefuses(mutated, format + " trial " + trial);
            }
        });
    }

    @ParameterizedTest
    @MethodSource("formats")
    void randomBytesBehindTheFormatsSignatureAreRefused(String format) {
        byte[] signature = Arrays.copyOf(sample(format), format.equals("png") ? 8 : 3);
        SplittableRandom random = new SplittableRandom(7);
        assertTimeoutPreemptively(PER_CASE_BUDGET, () -> {
            for (int trial = 0; trial < 200; trial++) {
                byte[] bytes = new byte[signature.length + random.nextInt(2000)];
                for (int i = signature.length; i < bytes.length; i++) {
                    bytes[i] = (byte) random.nextInt(256);
                }
                System.arraycopy(signature, 0, bytes, 0, signature.length);
                decodesOrRefuses(bytes, format + " random trial " + trial);
            }
        });
    }

    @ParameterizedTest
    @MethodSource("absurdSizes")
    void absurdSizesInTheHeaderAreRefusedWithoutAllocating(int width, int height) {
        assertTimeoutPreemptively(PER_CASE_BUDGET, () -> {
            byte[] png = HostileImages.pngClaiming(sample("png"), width, height);
            assertThrows(DatasetException.class, () -> ImageDecoders.decode(png, SOURCE), "png " + width + "x"
                    + height);
            if (width <= 65_535 && height <= 65_535) {
                byte[] jpeg = HostileImages.jpegClaiming(sample("jpg"), width, height);
                assertThrows(DatasetException.class, () -> ImageDecoders.decode(jpeg, SOURCE), "jpeg " + width
                        + "x" + height);
            }
        });
    }

    /** The scan of a small JPEG repeated past the limit: refused from the header walk, nothing is decoded. */
    @Test
    void aJpegWithThousandsOfScansIsRefusedBeforeDecoding() {
        byte[] jpeg = sample("jpg");
        int sos = 2;
        while ((jpeg[sos + 1] & 0xFF) != 0xDA) {
            sos += 2 + ((jpeg[sos + 2] & 0xFF) << 8 | jpeg[sos + 3] & 0xFF);
        }
        int eoi = jpeg.length - 2;
        ByteArrayOutputStream many = new ByteArrayOutputStream();
        many.write(jpeg, 0, sos);
        for (int i = 0; i < 3_000; i++) {
            many.write(jpeg, sos, eoi - sos);
        }
        many.write(jpeg, eoi, 2);
        assertTimeoutPreemptively(PER_CASE_BUDGET, () -> {
            DatasetException e = assertThrows(DatasetException.class,
                    () -> ImageDecoders.decode(many.toByteArray(), SOURCE));
            assertTrue(e.getMessage().contains(SOURCE) && e.getMessage().contains("more than 500 scans"),
                    e.getMessage());
        });
    }

    static List<Arguments> absurdSizes() {
        return List.of(Arguments.of(100_000, 100_000), Arguments.of(65_535, 65_535), Arguments.of(1, Integer.MAX_VALUE),
                Arguments.of(Integer.MAX_VALUE, 3), Arguments.of(-1, -1), Arguments.of(0, 5),
                Arguments.of(20_000, 20_000));
    }
}
