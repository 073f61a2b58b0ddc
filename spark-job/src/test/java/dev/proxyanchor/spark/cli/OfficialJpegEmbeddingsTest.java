package dev.proxyanchor.spark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.proxyanchor.spark.SharedSpark;
import dev.proxyanchor.spark.io.EmbeddingParquet;
import dev.proxyanchor.spark.io.EmbeddingRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Decode + resize + crop + normalisation + network together, against the official code: photographic-like JPEGs
 * written by {@code interop/official_jpegs.py} (several sizes, 4:4:4 / 4:2:2 / 4:2:0 chroma, qualities 70-95, a
 * progressive one, a grey one, one with an EXIF orientation PIL ignores) and an official checkpoint with random
 * weights; {@code embed --checkpoint FILE.pth} through the entry point in Spark local[2] must give, for every image,
 * an embedding with cosine >= 0.999 to the one the official wrapper computes with the official evaluation transform
 * (PIL, torchvision Resize(256) + CenterCrop(224), BGR x255 minus the Caffe mean for BN-Inception, ImageNet
 * mean/std for ResNet). The same embeddings against a deliberately wrong transform fall below the threshold, so
 * the threshold does tell a wrong pipeline apart.
 */
class OfficialJpegEmbeddingsTest {

    private static final String PYTHON = "/usr/bin/python3";
    private static final double MIN_COSINE = 0.999;
    private static final Path PARITY = Path.of("..", "model", "src", "test", "resources", "parity")
            .toAbsolutePath().normalize();

    @TempDir
    static Path dir;

    @BeforeAll
    static void writeImagesCheckpointsAndOfficialEmbeddings() throws Exception {
        assumeTrue(torchAvailable(), PYTHON + " cannot import torch, torchvision and PIL: install Debian's"
                + " python3-torch, python3-torchvision and python3-pil (submit/setup-debian.sh does)");
        assertTrue(Files.isRegularFile(PARITY.resolve("official_wrappers.py")), "no official wrappers in " + PARITY);
        System.setProperty("spark.master", "local[2]");
        Path script = Path.of(OfficialJpegEmbeddingsTest.class.getResource("/interop/official_jpegs.py").toURI());
        Path log = dir.resolve("python.log");
        Process python = new ProcessBuilder(PYTHON, script.toString(), dir.toString(), PARITY.toString(),
                "bn_inception", "resnet18").redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!python.waitFor(20, TimeUnit.MINUTES)) {
            python.destroyForcibly();
            throw new IllegalStateException("official_jpegs.py ran past 20 minutes");
        }
        assertEquals(0, python.exitValue(), () -> "official_jpegs.py failed:\n" + read(log));
    }

    @ParameterizedTest
    @ValueSource(strings = {"bn_inception", "resnet18"})
    void embeddingsOfRealJpegsMatchTheOfficialCode(String model) throws IOException {
        Path output = dir.resolve(model + ".parquet");
        assertEquals(0, Main.run("embed", "--checkpoint", dir.resolve(model + "-official.pth").toString(),
                "--model", model, "--embedding-size", "64", "--dataset", "folder",
                "--data-root", dir.resolve("images").toString(), "--role", "train,eval",
                "--output", output.toString()));
        List<EmbeddingRecord> ours = EmbeddingParquet.read(SharedSpark.session(), output.toString()).collect();
        JsonNode official = new ObjectMapper().readTree(dir.resolve(model + ".json").toFile());

        double minimum = 1;
        String worst = null;
        List<String> belowThreshold = new ArrayList<>();
        int wrongAbove = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = official.get("right").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> image = it.next();
            EmbeddingRecord record = ours.stream().filter(r -> r.path().endsWith("/" + image.getKey())).findFirst()
                    .orElse(null);
            assertNotNull(record, "no embedding for " + image.getKey());
            double cosine = cosine(record.embedding(), image.getValue());
            if (cosine < minimum) {
                minimum = cosine;
                worst = image.getKey();
            }
            if (cosine < MIN_COSINE) {
                belowThreshold.add(String.format(Locale.ROOT, "%s %.5f", image.getKey(), cosine));
            }
            boolean grey = image.getKey().endsWith("grey.jpg");
            if (!grey && cosine(record.embedding(), official.get("wrong").get(image.getKey())) >= MIN_COSINE) {
                wrongAbove++;
            }
        }
        System.out.printf(Locale.ROOT, "official %s on %d JPEGs: minimum cosine %.6f (%s)%n", model,
                official.get("right").size(), minimum, worst);
        assertEquals(official.get("right").size(), ours.size());
        assertTrue(belowThreshold.isEmpty(), model + ": cosine below " + MIN_COSINE + " for " + belowThreshold);
        assertEquals(0, wrongAbove, model + ": the wrong transform passes the threshold too");
    }

    private static double cosine(float[] a, JsonNode b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            double y = b.get(i).asDouble();
            dot += a[i] * y;
            na += a[i] * (double) a[i];
            nb += y * y;
        }
        assertEquals(a.length, b.size());
        return dot / Math.sqrt(na * nb);
    }

    private static boolean torchAvailable() {
        try {
            Process p = new ProcessBuilder(PYTHON, "-c", "import torch, torchvision, PIL").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(2, TimeUnit.MINUTES) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
