package dev.proxyanchor.spark.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.proxyanchor.datasets.DatasetException;
import dev.proxyanchor.model.EmbeddingNetwork;
import dev.proxyanchor.model.UserInputException;
import dev.proxyanchor.model.checkpoint.Checkpoint;
import dev.proxyanchor.model.checkpoint.TrainingState;
import dev.proxyanchor.model.recipe.Optimizer;
import dev.proxyanchor.model.recipe.Recipe;
import dev.proxyanchor.spark.io.RunDirectory;
import dev.proxyanchor.spark.runtime.SparkSessions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failures while decoding ahead, in Spark local[2]: an image that cannot be decoded, at a random batch of a random
 * averaging round, ends the run with the file's name every time and never leaves a task waiting; with
 * {@code --skip-bad-images} the run goes on and says what it skipped.
 */
class DecodeFailuresTest {

    private static final int CLASSES = 6;
    private static final int PER_CLASS = 32;

    private static SparkSession spark;
    private static JavaSparkContext jsc;

    /** Synthetic images, but the ones named in {@code bad} are corrupt files. */
    private static final class WithBadImages implements BatchDecoder {
        private final SyntheticImages images = new SyntheticImages();
        private final Set<String> bad;

        WithBadImages(Set<String> bad) {
            this.bad = bad;
        }

        @Override
        public long[] imageShape(boolean train) {
            return images.imageShape(train);
        }

        @Override
        public void decodeInto(String uri, long seed, boolean train, float[] out, int at) {
            if (bad.contains(uri)) {
                throw new DatasetException("cannot decode image " + uri + ": it is truncated (test). Replace or "
                        + "remove the file.");
            }
            images.decodeInto(uri, seed, train, out, at);
        }
    }

    @BeforeAll
    static void startSpark() {
        spark = SparkSession.builder().config(SparkSessions.defaults("DecodeFailuresTest").setMaster("local[2]"))
                .getOrCreate();
        jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    private static TrainSettings settings(Path out, boolean skipBadImages) {
        return new TrainSettings("synthetic", null, false, "small_cnn", "none", null, "Proxy_Anchor", 16, 32, 1,
                1e-3, 1e-4, 10, 0.5, Optimizer.ADAMW, 32, 0.1, 0, true, true, 0, 100, "", out.toString(), false, false,
                2, 2, new InputOptions(2, 1, skipBadImages), 7, 1, 0, 0, null);
    }

    private static TrainingState train(TrainSettings s, BatchDecoder decoder) throws Exception {
        Recipe recipe = Recipe.builder().model("small_cnn").embeddingSize(s.embeddingSize()).numClasses(CLASSES)
                .optimizer(s.optimizer()).lr(s.lr()).warm(s.warm()).bnFreeze(s.bnFreeze()).seed(s.seed()).build();
        RunDirectory run = RunDirectory.at(s.output(), jsc.hadoopConfiguration());
        return new SparkTrainer(jsc, s, SyntheticImages.trainImages(CLASSES, PER_CLASS), decoder,
                (graph, epoch, record) -> { }, run).train(new Checkpoint(EmbeddingNetwork.create(recipe),
                TrainingState.start(recipe)));
    }

    @Test
    void aCorruptImageAtARandomBatchEndsTheRunNamingItEveryTime(@TempDir Path dir) {
        SplittableRandom random = new SplittableRandom(5);
        String[] uris = SyntheticImages.trainImages(CLASSES, PER_CLASS).uris();
        assertTimeoutPreemptively(Duration.ofMinutes(8), () -> {
            for (int run = 0; run < 8; run++) {
                String bad = uris[random.nextInt(uris.length)];
                TrainSettings s = settings(dir.resolve("run" + run), false);
                UserInputException e = assertThrows(UserInputException.class,
                        () -> train(s, new WithBadImages(Set.of(bad))), "run " + run);
                assertTrue(e.getMessage().contains("cannot decode image " + bad + ":"), e.getMessage());
                assertTrue(e.getMessage().contains("training stopped in epoch 1"), e.getMessage());
                assertTrue(e.getMessage().endsWith("no checkpoint to resume: once fixed, start again with --overwrite."),
                        e.getMessage());
            }
        });
    }

    @Test
    void skippedBadImagesAreCountedListedAndTrainingGoesOn(@TempDir Path dir) throws Exception {
        String[] uris = SyntheticImages.trainImages(CLASSES, PER_CLASS).uris();
        Set<String> bad = new TreeSet<>(List.of(uris[3], uris[40], uris[100], uris[191]));
        TrainSettings s = settings(dir.resolve("run"), true);
        TrainingState end = assertTimeoutPreemptively(Duration.ofMinutes(3), () -> train(s,
                new WithBadImages(bad)));
        assertEquals(1, end.epochsCompleted());
        // 192 images in batches of 32: every image is in the epoch, so every bad one is met once.
        var metrics = new ObjectMapper().readTree(Files.readAllLines(dir.resolve("run")
                .resolve(RunDirectory.METRICS)).get(0));
        assertEquals(bad.size(), metrics.get("bad_images").asInt());
        Set<String> listed = new TreeSet<>();
        for (String line : Files.readAllLines(dir.resolve("run").resolve(SparkTrainer.BAD_IMAGES))) {
            String[] fields = line.split("\t");
            assertEquals("0", fields[0]);
            listed.add(fields[1]);
            assertTrue(fields[2].contains("truncated"), line);
        }
        assertEquals(bad, listed);
    }
}
