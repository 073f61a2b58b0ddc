package dev.proxyanchor.spark.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.proxyanchor.spark.SharedSpark;
import dev.proxyanchor.spark.UserErrors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every registered embeddings format round-trips what it keeps; numpy and Python's csv read what we write. */
class EmbeddingFormatTest {

    private static final EmbeddingMetadata METADATA = EmbeddingMetadata.of("small_cnn", 3, "runs/x/best", false);

    @TempDir
    Path dir;

    /** Rows as embed writes them: ids from 0 in order, awkward paths, the floats that are hardest to print. */
    private static List<EmbeddingRecord> rows() {
        String[] paths = {"img/a,b.jpg", "img/\"quoted\" name.jpg", "img/ümlaut ünïcode.jpg", "s3a://bucket/x y.png",
            "plain.jpg"};
        float[][] vectors = {{1f / 3, -0f, Float.MIN_VALUE}, {1e30f, -1e-30f, 0.1f}, {-2.5f, 3e-8f, 65504f},
            {Float.MAX_VALUE, -Float.MAX_VALUE, 1}, {0.7f, 0.2f, -0.123456789f}};
        List<EmbeddingRecord> rows = new ArrayList<>();
        for (int i = 0; i < paths.length; i++) {
            rows.add(new EmbeddingRecord(i, paths[i], 10 * i - 3, i % 2 == 0 ? "query" : "gallery", vectors[i]));
        }
        return rows;
    }

    private String write(EmbeddingFormat format, String name) {
        String uri = dir.resolve(name + format.extension()).toString();
        EmbeddingFiles.write(SharedSpark.session(), SharedSpark.jsc().parallelize(rows(), 2), METADATA, uri,
                false);
        return uri;
    }

    @ParameterizedTest
    @EnumSource(EmbeddingFormat.class)
    void everyFormatRoundTripsWhatItKeeps(EmbeddingFormat format) {
        String uri = write(format, "e");

        List<EmbeddingRecord> read = EmbeddingFiles.read(SharedSpark.session(), uri, null).collect().stream()
                .sorted(Comparator.comparingLong(EmbeddingRecord::id)).toList();

        List<EmbeddingRecord> written = rows();
        assertEquals(written.size(), read.size());
        for (int i = 0; i < written.size(); i++) {
            EmbeddingRecord w = written.get(i);
            EmbeddingRecord r = read.get(i);
            assertEquals(w.id(), r.id());
            assertEquals(w.label(), r.label());
            assertArrayEquals(w.embedding(), r.embedding(), "exactly the same floats, -0 and subnormals included");
            assertEquals(Float.floatToIntBits(w.embedding()[1]), Float.floatToIntBits(r.embedding()[1]));
            if (format.keepsRoles()) {
                assertEquals(w.role(), r.role());
                assertEquals(w.path(), r.path());
            } else {
                assertNull(r.role());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(EmbeddingFormat.class)
    void everyFormatRefusesToReplaceAnOutputUnlessAsked(EmbeddingFormat format) {
        String uri = write(format, "twice");
        String m = UserErrors.messageOf(() -> EmbeddingFiles.write(SharedSpark.session(),
                SharedSpark.jsc().parallelize(rows(), 1), METADATA, uri, false));
        assertTrue(m.contains("already exists"), m);

        EmbeddingFiles.write(SharedSpark.session(), SharedSpark.jsc().parallelize(rows().subList(0, 2), 1), METADATA,
                uri, true);
        assertEquals(2, EmbeddingFiles.read(SharedSpark.session(), uri, null).count());
    }

    @Test
    void anUnknownOutputExtensionListsTheRegistry() {
        String m = UserErrors.messageOf(() -> EmbeddingFormat.ofOutput("out/e.json"));
        assertTrue(m.contains(".parquet") && m.contains(".csv") && m.contains(".npy"), m);
    }

    @Test
    void npyOutputIsWhatNumpyLoads() throws Exception {
        String uri = write(EmbeddingFormat.NPY, "numpy");
        String check = String.join("\n",
                "import numpy as np, sys",
                "m = np.load(sys.argv[1]); l = np.load(sys.argv[2])",
                "p = open(sys.argv[3], encoding='utf-8').read().split('\\n')[:-1]",
                "assert m.dtype == np.float32 and m.shape == (5, 3), (m.dtype, m.shape)",
                "assert l.dtype == np.int64 and list(l) == [-3, 7, 17, 27, 37], l",
                "assert abs(m[0, 0] - np.float32(1) / np.float32(3)) == 0 and m[3, 0] == np.finfo(np.float32).max",
                "assert p[2] == 'img/\\u00fcmlaut \\u00fcn\\u00efcode.jpg' and len(p) == 5, p",
                "print('ok')");
        assertEquals("ok", python(check, uri, NpyEmbeddings.labelsBeside(uri), NpyEmbeddings.pathsBeside(uri)));
    }

    @Test
    void csvOutputIsWhatPythonsCsvModuleReads() throws Exception {
        String uri = write(EmbeddingFormat.CSV, "python");
        String check = String.join("\n",
                "import csv, sys",
                "rows = list(csv.reader(open(sys.argv[1], encoding='utf-8', newline='')))",
                "assert rows[0] == ['id', 'path', 'label', 'role', 'e0', 'e1', 'e2'], rows[0]",
                "assert rows[1][1] == 'img/a,b.jpg' and rows[2][1] == 'img/\"quoted\" name.jpg', rows",
                "assert float(rows[2][4]) == 1e30 and rows[1][3] == 'query', rows",
                "print('ok')");
        assertEquals("ok", python(check, uri));
    }

    /** Runs a Python 3 script (Debian's, with numpy) and returns its output; skips without one. */
    private String python(String script, String... args) throws IOException, InterruptedException {
        Path file = dir.resolve("check.py");
        Files.writeString(file, script, StandardCharsets.UTF_8);
        List<String> command = new ArrayList<>(List.of("/usr/bin/python3", file.toString()));
        command.addAll(List.of(args));
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "no /usr/bin/python3");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assumeTrue(!out.contains("No module named 'numpy'"), "numpy is not installed");
        return out;
    }
}
