package dev.proxyanchor.model.pretrained;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.proxyanchor.model.EmbeddingNetwork;
import dev.proxyanchor.model.UserInputException;
import dev.proxyanchor.model.backbones.Backbones;
import dev.proxyanchor.model.pretrained.PthFixtures.Spec;
import dev.proxyanchor.model.recipe.Recipe;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Hostile and broken {@code .pth} files, in both formats: every one ends in an {@link IOException} with a one-line
 * message naming the file (never another exception, never an {@link OutOfMemoryError}, never a hang), and reading
 * it allocates no more than a small multiple of the file's size, however large the sizes and counts it declares.
 */
class TorchCheckpointReaderFuzzTest {

    /** What reading any of these small files may allocate: the reader's fixed costs, far below what they declare. */
    private static final long ALLOCATION_LIMIT_BYTES = 48L << 20;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    static byte[] fixture(String format) throws IOException {
        return format.equals("zip") ? PthFixtures.zip(PthFixtures.SMALL, false) : PthFixtures.legacy(PthFixtures.SMALL);
    }

    @ParameterizedTest
    @ValueSource(strings = {"zip", "legacy"})
    void theFixtureReads(String format) throws IOException {
        Map<String, TorchTensor> tensors = TorchCheckpointReader.read(write("ok.pth", fixture(format)));
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, tensors.get("conv.weight").values());
        assertArrayEquals(new long[] {2, 3}, tensors.get("conv.weight").shape());
        assertArrayEquals(new float[] {3}, tensors.get("bn.num_batches_tracked").values());
    }

    @ParameterizedTest
    @ValueSource(strings = {"zip", "legacy"})
    void everyTruncationIsACleanError(String format) throws IOException {
        byte[] whole = fixture(format);
        Path file = dir.resolve("truncated.pth");
        assertTimeoutPreemptively(TIMEOUT, () -> {
            for (int length = 0; length < whole.length; length++) {
                Files.write(file, java.util.Arrays.copyOf(whole, length));
                assertCleanError(file, "truncated to " + length + " of " + whole.length + " bytes");
            }
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"zip", "legacy"})
    void randomlyCorruptedBytesReadOrFailCleanly(String format) throws IOException {
        byte[] whole = fixture(format);
        Path file = dir.resolve("corrupt.pth");
        Random random = new Random(18);
        assertTimeoutPreemptively(TIMEOUT, () -> {
            for (int trial = 0; trial < 1500; trial++) {
                byte[] bytes = whole.clone();
                int flips = 1 + random.nextInt(8);
                for (int i = 0; i < flips; i++) {
                    bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
                }
                Files.write(file, bytes);
                readOrCleanError(file, "trial " + trial);
            }
        });
    }

    @Test
    void randomBytesAreACleanError() {
        Random random = new Random(3);
        Path file = dir.resolve("random.pth");
        byte[][] heads = {{}, {'P', 'K', 3, 4}, {(byte) 0x80, 2}, {(byte) 0x80, 2, (byte) 0x8a, 10}};
        assertTimeoutPreemptively(TIMEOUT, () -> {
            for (int trial = 0; trial < 2000; trial++) {
                byte[] head = heads[trial % heads.length];
                byte[] bytes = new byte[head.length + random.nextInt(4096)];
                random.nextBytes(bytes);
                System.arraycopy(head, 0, bytes, 0, head.length);
                Files.write(file, bytes);
                assertCleanError(file, "trial " + trial);
            }
        });
    }

    @ParameterizedTest
    @ValueSource(longs = {-1, 1L << 31, 1L << 40, Long.MAX_VALUE, Long.MIN_VALUE})
    void anAbsurdLegacyStorageCountIsRefusedBeforeAllocating(long numel) throws IOException {
        byte[] bytes = PthFixtures.legacy(PthFixtures.SMALL);
        // The first storage's int64 count sits right after the pickles: 8 bytes before its 24 data bytes, which
        // come before the second storage's count and 8 bytes and the third's count and 8 bytes.
        int countAt = bytes.length - (8 + 8) - (8 + 8) - (8 + 24);
        ByteBuffer.wrap(bytes, countAt, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(numel);
        IOException e = assertCleanError(write("count.pth", bytes), "count " + numel);
        assertTrue(e.getMessage().contains("storage 0"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"zip", "legacy"})
    void absurdDeclaredSizesAreRefusedBeforeAllocating(String format) throws IOException {
        List<List<Spec>> cases = new ArrayList<>();
        Spec small = PthFixtures.SMALL.get(0);
        cases.add(List.of(small.withStorageNumel(1L << 40)));
        cases.add(List.of(small.withStorageNumel(-5)));
        cases.add(List.of(small.withStorageNumel(Long.MAX_VALUE / 2)));
        cases.add(List.of(small.withSize(new long[] {1L << 31, 1L << 31}, new long[] {0, 0})));
        cases.add(List.of(small.withSize(new long[] {1L << 62, 4}, new long[] {1, 1})));
        cases.add(List.of(small.withSize(new long[] {-2, 3}, new long[] {3, 1})));
        cases.add(List.of(small.withSize(new long[] {2, 3}, new long[] {-3, 1})));
        cases.add(List.of(small.withSize(new long[] {200_000_000}, new long[] {0})));
        cases.add(List.of(small.withSize(new long[] {7, 7}, new long[] {1, 1})));
        for (List<Spec> specs : cases) {
            byte[] bytes = format.equals("zip") ? PthFixtures.zip(specs, false) : PthFixtures.legacy(specs);
            assertCleanError(write("absurd.pth", bytes), specs.get(0).toString());
        }
    }

    /** The JDK's zip reader sizes its tables by the entry count the end record declares. */
    @Test
    void anAbsurdEntryCountInTheZipDirectoryReadsOrFailsCleanly() throws IOException {
        byte[] zip = PthFixtures.zip(PthFixtures.SMALL, false);
        assertEquals(3, TorchCheckpointReader.read(write("zip64.pth", withZip64End(zip, 3))).size(),
                "a zip64 end record, as torch.save writes one, is read");
        for (long total : new long[] {65535, 1L << 20, 500_000_000, Integer.MAX_VALUE, 1L << 33, -1}) {
            readOrCleanError(write("count.pth", withZip64End(zip, total)), "zip64 entry count " + total);
        }
        byte[] patched = zip.clone();
        ByteBuffer.wrap(patched, patched.length - 12, 2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 0xfffe);
        readOrCleanError(write("count.pth", patched), "END entry count 65534");
    }

    @Test
    void aPickleLongerThanAnyStateDictsIsRefused() throws IOException {
        PickleWriter p = new PickleWriter().mark();
        for (int i = 0; i < (9 << 20); i++) {
            p.emptyTuple();
        }
        byte[] pickle = p.tuple().finish();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("t/data.pkl"));
            zip.write(pickle);
            zip.closeEntry();
        }
        IOException e = assertCleanError(write("long.pth", bytes.toByteArray()), "long pickle");
        assertTrue(e.getMessage().contains("more than the " + TorchCheckpointReader.MAX_PICKLE_BYTES), e.getMessage());
    }

    @Test
    void aZipBombIsRefusedWithoutInflatingIt() throws IOException {
        long bombBytes = 64L << 20;
        Path bomb = write("bomb.pth", bomb(bombBytes, bombBytes / 4));
        IOException e = assertCleanError(bomb, "honest zip bomb");
        assertTrue(e.getMessage().contains("zip bomb"), e.getMessage());
        assertTrue(Files.size(bomb) < bombBytes / 100, "the bomb is small: " + Files.size(bomb));
    }

    @Test
    void aZipBombLyingAboutItsSizeIsRefusedAfterTheDeclaredBytes() throws IOException {
        byte[] bytes = bomb(64L << 20, 4);
        patchCentralSize(bytes, "t/data/0", 16);
        IOException e = assertCleanError(write("liar.pth", bytes), "lying zip bomb");
        assertTrue(e.getMessage().contains("holds more than the 16 bytes it declares"), e.getMessage());
    }

    @Test
    void theLoadersTurnEveryReadErrorIntoAUserError() throws IOException {
        byte[] whole = PthFixtures.legacy(PthFixtures.SMALL);
        Path file = write("cut.pth", java.util.Arrays.copyOf(whole, whole.length - 3));
        var graph = EmbeddingNetwork.create(Recipe.builder().model("small_cnn").embeddingSize(4).numClasses(2).build(),
                Backbones.create("small_cnn"), DataType.FLOAT);
        UserInputException official = assertThrows(UserInputException.class,
                () -> OfficialCheckpoint.load(graph, Backbones.create("small_cnn"), file));
        assertTrue(official.getMessage().startsWith("cannot read the checkpoint " + file), official.getMessage());
        UserInputException imagenet = assertThrows(UserInputException.class,
                () -> PretrainedWeights.load(graph, Backbones.create("small_cnn"), file));
        assertTrue(imagenet.getMessage().startsWith("cannot read the pretrained weights " + file), imagenet.getMessage());
    }

    /** A zip whose pickle declares {@code numel} floats and whose storage entry deflates from {@code bytes} zeros. */
    private static byte[] bomb(long bytes, long numel) throws IOException {
        Spec spec = new Spec("w", "FloatStorage", numel, new long[] {numel}, new long[] {1}, new byte[0]);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.setLevel(9);
            zip.putNextEntry(new ZipEntry("t/data.pkl"));
            zip.write(PthFixtures.statePickle(List.of(spec)));
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry("t/data/0"));
            byte[] zeros = new byte[1 << 20];
            for (long written = 0; written < bytes; written += zeros.length) {
                zip.write(zeros);
            }
            zip.closeEntry();
        }
        return out.toByteArray();
    }

    /** Sets the uncompressed size that the central directory records for {@code name}. */
    private static void patchCentralSize(byte[] zip, String name, int size) {
        ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        byte[] wanted = name.getBytes(StandardCharsets.UTF_8);
        for (int at = 0; at + 46 < zip.length; at++) {
            if (b.getInt(at) == 0x02014b50 && (b.getShort(at + 28) & 0xffff) == wanted.length
                    && java.util.Arrays.equals(zip, at + 46, at + 46 + wanted.length, wanted, 0, wanted.length)) {
                b.putInt(at + 24, size);
                return;
            }
        }
        fail("no central directory entry " + name);
    }

    /** The archive with a zip64 end record (as torch.save writes one) declaring {@code total} entries. */
    private static byte[] withZip64End(byte[] zip, long total) {
        ByteBuffer end = ByteBuffer.wrap(zip, zip.length - 22, 22).order(ByteOrder.LITTLE_ENDIAN);
        long cenSize = end.getInt(zip.length - 22 + 12) & 0xffffffffL;
        long cenOffset = end.getInt(zip.length - 22 + 16) & 0xffffffffL;
        int endAt = zip.length - 22;
        ByteBuffer out = ByteBuffer.allocate(zip.length + 56 + 20).order(ByteOrder.LITTLE_ENDIAN);
        out.put(zip, 0, endAt);
        out.putInt(0x06064b50).putLong(44).putShort((short) 45).putShort((short) 45).putInt(0).putInt(0)
                .putLong(total).putLong(total).putLong(cenSize).putLong(cenOffset);
        out.putInt(0x07064b50).putInt(0).putLong(endAt).putInt(1);
        out.putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) 0xffff)
                .putShort((short) 0xffff).putInt(-1).putInt(-1).putShort((short) 0);
        return out.array();
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, bytes);
        return file;
    }

    /** Reads {@code file}, expecting success or a clean error. */
    private static void readOrCleanError(Path file, String what) {
        try {
            attempt(file, what);
        } catch (IOException e) {
            checkMessage(e, file, what);
        }
    }

    private static IOException assertCleanError(Path file, String what) {
        try {
            Map<String, TorchTensor> tensors = attempt(file, what);
            return fail(what + ": read " + tensors.keySet() + " instead of failing");
        } catch (IOException e) {
            checkMessage(e, file, what);
            return e;
        }
    }

    private static Map<String, TorchTensor> attempt(Path file, String what) throws IOException {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        try {
            return TorchCheckpointReader.read(file);
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(what + ": " + t + " instead of a clean IOException", t);
        } finally {
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertTrue(allocated < ALLOCATION_LIMIT_BYTES, what + ": reading allocated " + allocated + " bytes");
        }
    }

    private static void checkMessage(IOException e, Path file, String what) {
        assertNotNull(e.getMessage(), what);
        assertTrue(e.getMessage().contains(file.toString()), what + ": the message names the file: " + e.getMessage());
        assertEquals(-1, e.getMessage().indexOf('\n'), what + ": one line: " + e.getMessage());
    }
}
