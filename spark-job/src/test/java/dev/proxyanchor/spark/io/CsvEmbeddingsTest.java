package dev.proxyanchor.spark.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxyanchor.model.UserInputException;
import dev.proxyanchor.spark.SharedSpark;
import dev.proxyanchor.spark.UserErrors;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CSV embeddings as other tools write them: pandas, numpy.savetxt, Spark's CSV writer, hand-edited files. */
class CsvEmbeddingsTest {

    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    /** All rows of one file, read in this JVM. */
    private static List<EmbeddingRecord> rows(Path file) throws IOException {
        List<EmbeddingRecord> rows = new ArrayList<>();
        Iterator<EmbeddingRecord> it = CsvEmbeddings.rows(new Configuration(), file.toString(), 0);
        it.forEachRemaining(rows::add);
        return rows;
    }

    private static String messageOf(Path file) {
        return UserErrors.messageOf(() -> rows(file));
    }

    @Test
    void pandasIndexColumnIsTheIdNeverAVectorComponent() throws IOException {
        // pandas.DataFrame({'label': [3, 4], '0': [...], '1': [...]}, index=[10, 11]).to_csv(f)
        Path csv = write("pandas.csv", ",label,0,1\n10,3,0.5,-1.5\n11,4,2.0,0.25\n");

        List<EmbeddingRecord> read = rows(csv);

        assertEquals(2, read.size());
        assertEquals(10, read.get(0).id());
        assertEquals(3, read.get(0).label());
        assertArrayEquals(new float[] {0.5f, -1.5f}, read.get(0).embedding());
        assertEquals(11, read.get(1).id());
        assertArrayEquals(new float[] {2.0f, 0.25f}, read.get(1).embedding());
    }

    @Test
    void anUnnamedColumnBesidesAPandasIndexIsRefused() throws IOException {
        String m = messageOf(write("twice.csv", ",id,label,x\n0,5,1,0.5\n"));
        assertTrue(m.contains("column 1 of the header of") && m.contains("has no name")
                && m.contains("index=False"), m);
        m = messageOf(write("middle.csv", "label,x,,y\n1,0.5,7,1\n"));
        assertTrue(m.contains("column 3") && m.contains("no name"), m);
        m = messageOf(write("index.csv", ",label,x\nrow-a,1,0.5\n"));
        assertTrue(m.contains("line 2 of") && m.contains("id 'row-a'") && m.contains("integers"), m);
        m = messageOf(write("labels.csv", "label,x,LABEL\n1,0.5,2\n"));
        assertTrue(m.contains("two 'label' columns"), m);
    }

    @Test
    void aByteOrderMarkIsNotPartOfTheFirstColumnName() throws IOException {
        // Excel's "CSV UTF-8" and pandas' encoding='utf-8-sig' start the file with U+FEFF.
        List<EmbeddingRecord> header = rows(write("bom.csv", "\uFEFFlabel,x,y\n3,0.5,1\n"));
        assertEquals(3, header.get(0).label());
        assertArrayEquals(new float[] {0.5f, 1}, header.get(0).embedding());

        List<EmbeddingRecord> headerless = rows(write("bom2.csv", "\uFEFF3,0.5,1\n"));
        assertEquals(3, headerless.get(0).label());
    }

    @Test
    void quotedFieldsAreParsedAsCsvIncludingCommasQuotesAndLineBreaks() throws IOException {
        Path csv = write("quoted.csv", "id,path,label,role,e0,e1\r\n"
                + "1,\"img/a, \"\"b\"\".jpg\",3,query,\"0.5\",1\r\n"
                + "2,\"img/two\nlines.jpg\",4,\"gallery\",-2,0\r\n"
                + "3,plain.jpg,5,,1,1\r\n");

        List<EmbeddingRecord> read = rows(csv);

        assertEquals(3, read.size());
        assertEquals("img/a, \"b\".jpg", read.get(0).path());
        assertEquals("query", read.get(0).role());
        assertArrayEquals(new float[] {0.5f, 1}, read.get(0).embedding());
        assertEquals("img/two\nlines.jpg", read.get(1).path());
        assertEquals("gallery", read.get(1).role());
        assertNull(read.get(2).role());
        String m = messageOf(write("bad.csv", "id,path,label,e0\n1,\"a.jpg\",1,0.5\n2,\"b\nc.jpg\",1,x\n"));
        assertTrue(m.contains("line 4 of") && m.contains("'x'"), m);
    }

    @Test
    void numpySavetxtCommentsAreSkippedAndLineNumbersStayTrue() throws IOException {
        List<EmbeddingRecord> read = rows(write("savetxt.csv", "# label,x,y\n3,0.5,1\n\n4,1,2\n"));
        assertEquals(2, read.size());
        assertEquals(2, read.get(0).id());
        assertEquals(4, read.get(1).id());
    }

    @Test
    void aDirectoryOfGzippedPartsWithHeadersReadsInNameOrderThroughSpark() throws IOException {
        Path parts = Files.createDirectories(dir.resolve("parts.csv"));
        gzip(parts.resolve("part-00001.csv.gz"), "label,x,y\n2,0,1\n");
        gzip(parts.resolve("part-00000.csv.gz"), "label,x,y\n1,1,0\n1,1,1\n");
        Files.writeString(parts.resolve("_SUCCESS"), "");

        List<EmbeddingRecord> read = CsvEmbeddings.read(SharedSpark.jsc(), parts.toString()).collect().stream()
                .sorted(Comparator.comparingLong(EmbeddingRecord::id)).toList();

        assertEquals(List.of(2L, 3L, (1L << 32) + 2), read.stream().map(EmbeddingRecord::id).toList());
        assertEquals(List.of(1, 1, 2), read.stream().map(EmbeddingRecord::label).toList());
    }

    private static void gzip(Path file, String text) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Reads {@code file} and returns normally, or fails with a user error: never anything else, never slowly. */
    private static void readsOrRefusesCleanly(Path file) {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            try {
                rows(file);
            } catch (UserInputException expected) {
                assertTrue(expected.getMessage().contains(file.getFileName().toString()), expected.getMessage());
            }
        }, () -> "reading " + file);
    }

    @Test
    void fuzzTruncatedAtEveryByteRandomBytesAndAbsurdWidths() throws IOException {
        byte[] good = ("\uFEFF,id,path,label,role,e0,e1\n0,7,\"a,\"\"b\"\".jpg\",3,query,0.5,1e-3\n"
                + "1,8,b.jpg,4,gallery,-2,3.25\n").getBytes(StandardCharsets.UTF_8);
        for (int length = 0; length < good.length; length++) {
            Path cut = dir.resolve("cut-" + length + ".csv");
            Files.write(cut, Arrays.copyOf(good, length));
            readsOrRefusesCleanly(cut);
        }
        Random random = new Random(18);
        for (int i = 0; i < 100; i++) {
            byte[] noise = new byte[random.nextInt(4096)];
            random.nextBytes(noise);
            Path file = dir.resolve("noise-" + i + ".csv");
            Files.write(file, noise);
            readsOrRefusesCleanly(file);
        }
        Path wide = dir.resolve("wide.csv");
        Files.writeString(wide, "1" + ",0.5".repeat(CsvEmbeddings.MAX_COLUMNS + 10) + "\n");
        assertTrue(messageOf(wide).contains("more than " + CsvEmbeddings.MAX_COLUMNS + " columns"));
        Path longField = dir.resolve("long.csv");
        Files.writeString(longField, "label,path,x\n1,\"" + "p".repeat(CsvEmbeddings.MAX_CHARS_PER_FIELD + 10)
                + "\",0.5\n");
        String m = messageOf(longField);
        assertTrue(m.contains("line 2 of") && m.contains("longer than"), m);
        Path unclosed = dir.resolve("unclosed.csv");
        Files.writeString(unclosed, "label,path,x\n1,\"a.jpg,0.5\n" + "2,b.jpg,1\n".repeat(10_000));
        readsOrRefusesCleanly(unclosed);
    }
}
