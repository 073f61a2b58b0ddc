package dev.proxyanchor.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile idx files (Fashion-MNIST's format), plain and gzipped: cut at every byte, random bytes, dimensions far
 * beyond the file, a gzip bomb. Each is read or refused with a {@link DatasetException} naming the file, before the
 * header's sizes are allocated; never an OutOfMemoryError or a hang.
 */
class IdxFileFuzzTest {

    @TempDir
    java.nio.file.Path dir;

    private static byte[] plainIdx(int magic, int[] dims, byte[] data) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(magic);
            for (int d : dims) {
                out.writeInt(d);
            }
            out.write(data);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return bytes.toByteArray();
    }

    private Path write(String name, byte[] bytes) throws IOException {
        java.nio.file.Path file = dir.resolve(name);
        Files.write(file, bytes);
        return new Path(file.toUri());
    }

    private static FileSystem fs() throws IOException {
        return FileSystem.getLocal(new Configuration());
    }

    private static void readsOrRefusesCleanly(Path file) {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try {
                IdxFile.read(fs(), file, 3);
            } catch (DatasetException expected) {
                assertTrue(expected.getMessage().contains(file.getName()), expected.getMessage());
            }
        }, () -> "reading " + file);
    }

    @Test
    void truncatedAtEveryByteAndRandomBytesPlainAndGzipped() throws IOException {
        byte[] pixels = new byte[3 * 2 * 2];
        Arrays.fill(pixels, (byte) 7);
        byte[] plain = plainIdx(0x803, new int[] {3, 2, 2}, pixels);
        byte[] gzipped = DatasetFixtures.idx(0x803, new int[] {3, 2, 2}, pixels);
        assertArrayEquals(pixels, IdxFile.read(fs(), write("good-images-idx3-ubyte", plain), 3).data());
        assertArrayEquals(pixels, IdxFile.read(fs(), write("good-images-idx3-ubyte.gz", gzipped), 3).data());
        for (int length = 0; length < plain.length; length++) {
            Path cut = write("cut" + length + "-images-idx3-ubyte", Arrays.copyOf(plain, length));
            DatasetException e = assertThrows(DatasetException.class, () -> IdxFile.read(fs(), cut, 3));
            assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("not an idx file"),
                    e.getMessage());
        }
        for (int length = 0; length < gzipped.length; length++) {
            readsOrRefusesCleanly(write("cut" + length + "-images-idx3-ubyte.gz", Arrays.copyOf(gzipped, length)));
        }
        Random random = new Random(3);
        for (int i = 0; i < 200; i++) {
            byte[] noise = new byte[random.nextInt(256)];
            random.nextBytes(noise);
            if (i % 2 == 0 && noise.length >= 4) {
                noise[0] = 0;
                noise[1] = 0;
                noise[2] = 8;
                noise[3] = 3;
            }
            readsOrRefusesCleanly(write("noise" + i + "-images-idx3-ubyte", noise));
            readsOrRefusesCleanly(write("noise" + i + "-images-idx3-ubyte.gz", noise));
        }
    }

    @Test
    void absurdDimensionsAreRefusedBeforeAllocating() throws IOException {
        for (int[] dims : new int[][] {{1_000_000_000, 28, 28}, {Integer.MAX_VALUE, Integer.MAX_VALUE, 2},
            {-3, 28, 28}, {60000, -1, 28}, {3, 65536, 65536}}) {
            Path plain = write("absurd-images-idx3-ubyte", plainIdx(0x803, dims, new byte[64]));
            DatasetException e = assertThrows(DatasetException.class, () -> IdxFile.read(fs(), plain, 3));
            assertTrue(e.getMessage().contains("absurd-images-idx3-ubyte"), e.getMessage());
            Path gz = write("absurd-images-idx3-ubyte.gz", DatasetFixtures.idx(0x803, dims, new byte[64]));
            e = assertThrows(DatasetException.class, () -> IdxFile.read(fs(), gz, 3));
            assertTrue(e.getMessage().contains("absurd-images-idx3-ubyte.gz"), e.getMessage());
        }
    }

    @Test
    void aGzipBombDeclaringItsSizeAllocatesOnlyWhatInflates() throws IOException {
        // The header asks for 2 GB; 3 MB of zeros follow, then the stream ends: refused as truncated.
        java.nio.file.Path file = dir.resolve("bomb-images-idx3-ubyte.gz");
        try (OutputStream raw = Files.newOutputStream(file);
                DataOutputStream out = new DataOutputStream(new GZIPOutputStream(raw))) {
            out.writeInt(0x803);
            out.writeInt(2_000_000);
            out.writeInt(1000);
            out.writeInt(1);
            out.write(new byte[3 << 20]);
        }
        Path bomb = new Path(file.toUri());
        long before = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();

        DatasetException e = assertTimeoutPreemptively(Duration.ofSeconds(60),
                () -> assertThrows(DatasetException.class, () -> IdxFile.read(fs(), bomb, 3)));

        assertTrue(e.getMessage().contains("bomb-images-idx3-ubyte.gz") && (e.getMessage().contains("truncated")
                || e.getMessage().contains("corrupt")), e.getMessage());
        long after = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
        assertTrue(after - before < 1L << 30, "no 2 GB buffer: used " + (after - before) + " bytes");
    }
}
