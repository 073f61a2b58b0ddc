package dev.proxyanchor.datasets.mat;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxyanchor.datasets.MatFileWriter;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import org.junit.jupiter.api.Test;

/**
 * Hostile MAT-files (a truncated or corrupted Cars-196 {@code cars_annos.mat}): every one is read or refused with a
 * {@link MatFormatException} naming the file, quickly, without an OutOfMemoryError or a StackOverflowError.
 */
class MatFileFuzzTest {

    private static final int MI_INT8 = 1;
    private static final int MI_INT32 = 5;
    private static final int MI_UINT32 = 6;
    private static final int MI_MATRIX = 14;
    private static final int MI_COMPRESSED = 15;
    private static final int MX_CELL = 1;
    private static final int MX_STRUCT = 2;

    /** A Cars-196-like annotations struct array, some of it compressed. */
    private static byte[] annotations(Set<String> compressed) {
        Map<String, MatArray> element = new LinkedHashMap<>();
        element.put("relative_im_path", new MatArray.Chars(new int[] {1, 18}, "car_ims/000001.jpg"));
        element.put("class", new MatArray.Numeric(new int[] {1, 1}, new double[] {14}));
        Map<String, MatArray> variables = new LinkedHashMap<>();
        variables.put("annotations", new MatArray.Struct(new int[] {1, 2}, List.of("relative_im_path", "class"),
                List.of(element, element)));
        variables.put("class_names", new MatArray.Cell(new int[] {1, 1},
                List.of(new MatArray.Chars(new int[] {1, 4}, "Audi"))));
        return MatFileWriter.write(variables, compressed);
    }

    private static void readsOrRefusesCleanly(byte[] bytes, String name) {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try {
                MatFileReader.read(bytes, name);
            } catch (MatFormatException expected) {
                assertTrue(expected.getMessage().startsWith(name), expected.getMessage());
            }
        }, () -> "reading " + name);
    }

    @Test
    void truncatedAtEveryByteAndCorruptedAtEveryByte() {
        for (byte[] good : List.of(annotations(Set.of()), annotations(Set.of("annotations", "class_names")))) {
            MatFileReader.read(good, "good.mat");
            for (int length = 0; length < good.length; length++) {
                readsOrRefusesCleanly(Arrays.copyOf(good, length), "cut-" + length + ".mat");
            }
            Random random = new Random(good.length);
            for (int at = 0; at < good.length; at++) {
                byte[] flipped = good.clone();
                flipped[at] = (byte) random.nextInt(256);
                readsOrRefusesCleanly(flipped, "flip-" + at + ".mat");
                flipped[at] = (byte) 0xFF;
                readsOrRefusesCleanly(flipped, "ff-" + at + ".mat");
            }
        }
    }

    @Test
    void randomBytesAfterAValidHeader() {
        Random random = new Random(5);
        byte[] header = Arrays.copyOf(annotations(Set.of()), 128);
        for (int i = 0; i < 300; i++) {
            byte[] bytes = Arrays.copyOf(header, 128 + random.nextInt(2048));
            byte[] noise = new byte[bytes.length - 128];
            random.nextBytes(noise);
            System.arraycopy(noise, 0, bytes, 128, noise.length);
            readsOrRefusesCleanly(bytes, "noise-" + i + ".mat");
        }
    }

    @Test
    void aZipBombIsStoppedAtTheInflationBudget() {
        // 200 MiB of zeros deflate to about 200 KB.
        ByteArrayOutputStream deflated = new ByteArrayOutputStream();
        try (DeflaterOutputStream out = new DeflaterOutputStream(deflated, new Deflater(9))) {
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 200; i++) {
                out.write(zeros);
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        byte[] bomb = file(element(MI_COMPRESSED, deflated.toByteArray(), false));

        MatFormatException e = assertTimeoutPreemptively(Duration.ofSeconds(60),
                () -> assertThrows(MatFormatException.class, () -> MatFileReader.read(bomb, "bomb.mat")));
        assertTrue(e.getMessage().contains("more than " + MatFileReader.MAX_INFLATED_MIB + " MiB"), e.getMessage());
    }

    @Test
    void absurdCellAndStructCountsAreRefusedBeforeAllocating() {
        for (int[] dims : List.of(new int[] {1, Integer.MAX_VALUE}, new int[] {65536, 65536},
                new int[] {-1, 5}, new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE})) {
            byte[] cell = file(matrix(MX_CELL, dims, "c", new byte[0]));
            MatFormatException e = assertThrows(MatFormatException.class, () -> MatFileReader.read(cell, "cell.mat"));
            assertTrue(e.getMessage().contains("'c'"), e.getMessage());

            byte[] struct = file(matrix(MX_STRUCT, dims, "annotations",
                    concat(element(MI_INT32, ints(8), true), element(MI_INT8, "class\0\0\0".getBytes(
                            StandardCharsets.US_ASCII), false))));
            e = assertThrows(MatFormatException.class, () -> MatFileReader.read(struct, "struct.mat"));
            assertTrue(e.getMessage().contains("'annotations'"), e.getMessage());
        }
    }

    @Test
    void deepNestingIsRefusedInsteadOfOverflowingTheStack() {
        byte[] inner = matrix(MX_CELL, new int[] {0, 0}, "", new byte[0]);
        for (int level = 0; level < 5000; level++) {
            inner = matrix(MX_CELL, new int[] {1, 1}, "", inner);
        }
        byte[] deep = file(inner);

        MatFormatException e = assertThrows(MatFormatException.class, () -> MatFileReader.read(deep, "deep.mat"));
        assertTrue(e.getMessage().contains(MatFileReader.MAX_DEPTH + " levels"), e.getMessage());
    }

    @Test
    void elementLengthsPastTheEndOrOverflowingAnIntAreTruncation() {
        for (int length : new int[] {Integer.MAX_VALUE, -8, 1 << 30}) {
            ByteBuffer tag = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putInt(MI_MATRIX).putInt(length);
            byte[] bytes = file(tag.array());
            MatFormatException e = assertThrows(MatFormatException.class, () -> MatFileReader.read(bytes, "l.mat"));
            assertTrue(e.getMessage().contains("truncated or corrupt"), e.getMessage());
        }
    }

    private static byte[] file(byte[] elements) {
        return concat(Arrays.copyOf(annotations(Set.of()), 128), elements);
    }

    /** A miMATRIX element: flags, dims, name, then {@code content} (further elements). */
    private static byte[] matrix(int mxClass, int[] dims, String name, byte[] content) {
        ByteBuffer flags = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(mxClass).putInt(0);
        ByteBuffer dimBytes = ByteBuffer.allocate(4 * dims.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int d : dims) {
            dimBytes.putInt(d);
        }
        byte[] body = concat(element(MI_UINT32, flags.array(), false), element(MI_INT32, dimBytes.array(), false),
                element(MI_INT8, name.getBytes(StandardCharsets.US_ASCII), false), content);
        return element(MI_MATRIX, body, false);
    }

    private static byte[] ints(int... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) {
            b.putInt(v);
        }
        return b.array();
    }

    /** A tagged element, padded to 8 bytes unless compressed; {@code small}: the 4-byte small-element format. */
    private static byte[] element(int type, byte[] data, boolean small) {
        if (small && data.length <= 4) {
            ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(data.length << 16 | type);
            return b.put(data).array();
        }
        int padded = type == MI_COMPRESSED ? data.length : (data.length + 7) / 8 * 8;
        ByteBuffer b = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN).putInt(type)
                .putInt(data.length);
        return b.put(data).array();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
