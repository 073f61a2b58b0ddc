package dev.proxyanchor.spark.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxyanchor.model.UserInputException;
import dev.proxyanchor.spark.SharedSpark;
import dev.proxyanchor.spark.UserErrors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile {@code .npy} files: cut at every header byte, random bytes, shapes far larger than the file. Each is
 * refused with a message naming the file, before anything the header asks for is allocated; never another
 * exception, an OutOfMemoryError or a hang.
 */
class NpyFuzzTest {

    @TempDir
    Path dir;

    private Path labels;

    private static byte[] npy(String descr, String shape, byte[] data) throws IOException {
        Path tmp = Files.createTempFile("npy", ".npy");
        try {
            NpyWriter.write(tmp, descr, shape, ByteBuffer.wrap(data), false);
            return Files.readAllBytes(tmp);
        } finally {
            Files.delete(tmp);
        }
    }

    private static byte[] matrix() throws IOException {
        float[][] rows = {{1, 2, 3}, {4, 5, 6}};
        ByteBuffer data = NpyWriter.floats32(ByteOrder.LITTLE_ENDIAN, rows);
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        return npy("<f4", "(2, 3)", bytes);
    }

    private Path labels() throws IOException {
        if (labels == null) {
            labels = dir.resolve("labels.npy");
            NpyWriter.write(labels, "<i8", "(2,)", NpyWriter.longs(0, 1), false);
        }
        return labels;
    }

    /** Reads {@code file} as a matrix (and as labels): it must read or be refused by name, quickly. */
    private void readsOrRefusesCleanly(Path file) {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (boolean asLabels : new boolean[] {false, true}) {
                try {
                    if (asLabels) {
                        NpyEmbeddings.labels(SharedSpark.jsc().hadoopConfiguration(), file.toString());
                    } else {
                        EmbeddingFiles.read(SharedSpark.session(), file.toString(), labels().toString()).count();
                    }
                } catch (UserInputException expected) {
                    assertTrue(expected.getMessage().contains(file.getFileName().toString()), expected.getMessage());
                }
            }
        }, () -> "reading " + file);
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, bytes);
        return file;
    }

    @Test
    void truncatedAtEveryByteOfTheHeaderAndTheData() throws IOException {
        byte[] good = matrix();
        assertEquals(2, EmbeddingFiles.read(SharedSpark.session(), write("good.npy", good).toString(),
                labels().toString()).count());
        for (int length = 0; length < good.length; length++) {
            Path cut = write("cut-" + length + ".npy", Arrays.copyOf(good, length));
            String m = UserErrors.messageOf(() -> EmbeddingFiles.read(SharedSpark.session(), cut.toString(),
                    labels().toString()).count());
            assertTrue(m.contains(cut.getFileName().toString()) && (m.contains("truncated") || m.contains("not a "
                    + "NumPy") || m.contains("corrupt")), m);
        }
    }

    @Test
    void randomBytesAloneAndAfterAValidMagic() throws IOException {
        Random random = new Random(4);
        for (int i = 0; i < 60; i++) {
            byte[] noise = new byte[random.nextInt(512)];
            random.nextBytes(noise);
            if (i % 2 == 0 && noise.length > 8) {
                System.arraycopy(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) (1 + i % 3), 0}, 0,
                        noise, 0, 8);
            }
            readsOrRefusesCleanly(write("noise-" + i + ".npy", noise));
        }
    }

    @Test
    void absurdShapesOverASmallFileAreRefusedBeforeAllocating() throws IOException {
        byte[] data = new byte[64];
        String[] shapes = {"(1000000000000, 16)", "(16, 1000000000000)", "(4611686018427387904, 4)",
            "(3037000500, 3037000500)", "(999999999999999999, 999999999999999999)", "(2, 268435456)",
            "(100000000,)", "(-2, 3)", "(2**40, 3)", "(99999999999999999999999, 1)", "(3L, 4L)"};
        for (int i = 0; i < shapes.length; i++) {
            Path file = write("shape-" + i + ".npy", npy("<f4", shapes[i], data));
            String m = UserErrors.messageOf(() -> EmbeddingFiles.read(SharedSpark.session(), file.toString(),
                    labels().toString()).count());
            assertTrue(m.contains(file.getFileName().toString()), m);
            Path labelFile = write("labels-" + i + ".npy", npy("<i8", shapes[i].replace(", 16)", ",)"), data));
            readsOrRefusesCleanly(labelFile);
        }
        String m = UserErrors.messageOf(() -> EmbeddingFiles.read(SharedSpark.session(),
                dir.resolve("shape-0.npy").toString(), labels().toString()));
        assertTrue(m.contains("(1000000000000, 16)") || m.contains("[1000000000000, 16]"), m);
        assertTrue(m.contains("truncated"), m);
    }

    @Test
    void aHeaderLengthLargerThanTheFileOrNumpysLimitIsRefused() throws IOException {
        ByteBuffer v2 = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        v2.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 2).put((byte) 0)
                .putInt(-1);
        Path huge = write("header4g.npy", v2.array());
        String m = UserErrors.messageOf(() -> NpyEmbeddings.labels(SharedSpark.jsc().hadoopConfiguration(),
                huge.toString()));
        assertTrue(m.contains("header of 4294967295 bytes"), m);

        byte[] longHeader = new byte[NpyHeader.MAX_HEADER_BYTES + 200];
        ByteBuffer v1 = ByteBuffer.wrap(longHeader).order(ByteOrder.LITTLE_ENDIAN);
        v1.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0)
                .putShort((short) (NpyHeader.MAX_HEADER_BYTES + 100));
        Path tooLong = write("longheader.npy", longHeader);
        m = UserErrors.messageOf(() -> NpyEmbeddings.labels(SharedSpark.jsc().hadoopConfiguration(),
                tooLong.toString()));
        assertTrue(m.contains("longheader.npy") && m.contains("corrupt"), m);
    }
}
