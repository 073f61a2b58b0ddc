package dev.proxyanchor.spark.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxyanchor.model.EmbeddingNetwork;
import dev.proxyanchor.model.checkpoint.Checkpoint;
import dev.proxyanchor.model.checkpoint.TrainingState;
import dev.proxyanchor.model.recipe.Optimizer;
import dev.proxyanchor.model.recipe.Recipe;
import dev.proxyanchor.spark.io.EpochRecord;
import dev.proxyanchor.spark.io.RunDirectory;
import dev.proxyanchor.spark.metrics.RetrievalMetrics;
import dev.proxyanchor.spark.runtime.SparkSessions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The parameter-averaging epoch loop in Spark local[2], on synthetic images. */
class SparkTrainerTest {

    private static SparkSession spark;
    private static JavaSparkContext jsc;

    @BeforeAll
    static void startSpark() {
        spark = SparkSession.builder().config(SparkSessions.defaults("SparkTrainerTest").setMaster("local[2]"))
                .getOrCreate();
        jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    private static TrainSettings settings(Path out, int epochs, int warm) {
        return settings(out, "Proxy_Anchor", 32, epochs, warm);
    }

    private static TrainSettings settings(Path out, String loss, int batchSize, int epochs, int warm) {
        return new TrainSettings("synthetic", null, false, "small_cnn", "none", null, loss, 16, batchSize, epochs,
                1e-3, 1e-4, 10, 0.5, Optimizer.ADAMW, 32, 0.1, warm, true, true, 0, 100, "", out.toString(), false,
                false, 2, 2, new InputOptions(1, 0, false), 7, 1, 0, 0, null);
    }

    private static Checkpoint fresh(TrainSettings s) {
        return fresh(s, 6);
    }

    private static Checkpoint fresh(TrainSettings s, int classes) {
        Recipe recipe = Recipe.builder().model("small_cnn").loss(s.loss()).embeddingSize(s.embeddingSize())
                .numClasses(classes).optimizer(s.optimizer()).lr(s.lr()).warm(s.warm()).bnFreeze(s.bnFreeze())
                .seed(s.seed()).build();
        return new Checkpoint(EmbeddingNetwork.create(recipe), TrainingState.start(recipe));
    }

    private static TrainingState train(TrainSettings s, Checkpoint start) throws Exception {
        return train(s, start, SyntheticImages.trainImages(6, 32));
    }

    private static TrainingState train(TrainSettings s, Checkpoint start, SparkTrainer.TrainImages images)
            throws Exception {
        RunDirectory run = RunDirectory.at(s.output(), jsc.hadoopConfiguration());
        return new SparkTrainer(jsc, s, images, new SyntheticImages(), (graph, epoch, record) -> { }, run)
                .train(start);
    }

    @Test
    void pairBasedLossTrainsThroughWorkerBatchesWithoutPositivesAndCountsThem(@TempDir Path dir) throws Exception {
        // 4 images per worker drawn from 16 classes: most worker batches hold no two images of one class.
        TrainSettings s = settings(dir.resolve("run"), "Triplet", 8, 1, 0);
        SparkTrainer.TrainImages images = SyntheticImages.trainImages(16, 4);
        train(s, fresh(s, 16), images);

        EpochRecord epoch = RunDirectory.at(s.output(), jsc.hadoopConfiguration()).readEpochs().get(0);
        int expected = 0;
        for (int[] batch : EpochBatches.plan(images.labels(), 8, 0, s.seed(), 0)) {
            for (int w = 0; w < 2; w++) {
                Set<Integer> classes = new HashSet<>();
                for (int i = 0; i < 4; i++) {
                    classes.add(images.labels()[batch[w * 4 + i]]);
                }
                expected += classes.size() == 4 ? 1 : 0;
            }
        }
        assertTrue(expected > 0, "the plan should have worker batches without a positive pair");
        assertEquals(expected, epoch.batchesWithoutPositivePair());
        assertTrue(Double.isFinite(epoch.loss()) && epoch.loss() >= 0, "loss " + epoch.loss());
        assertEquals(null, epoch.lr().proxies(), "Triplet has no proxies");
    }

    @Test
    void lossDecreasesAndEveryEpochLeavesMetricsAndCheckpoints(@TempDir Path dir) throws Exception {
        TrainSettings s = settings(dir.resolve("run"), 3, 0);
        TrainingState end = train(s, fresh(s));
        assertEquals(3, end.epochsCompleted());

        List<EpochRecord> epochs = RunDirectory.at(s.output(), jsc.hadoopConfiguration()).readEpochs();
        assertEquals(3, epochs.size());
        assertTrue(epochs.get(2).loss() < epochs.get(0).loss(), "loss did not decrease: " + epochs);
        assertEquals(1e-1, epochs.get(0).lr().proxies(), 1e-12);
        assertTrue(epochs.get(0).imagesPerSec() > 0);
        assertTrue(Files.exists(dir.resolve("run/last").resolve(Checkpoint.MODEL_FILE)));
    }

    @Test
    void bestFollowsValidationRecallAt1WhenTheRunHasAValidationSet(@TempDir Path dir) throws Exception {
        // Test R@1 peaks in epoch 0, val R@1 in epoch 1: with a val set, best/ is epoch 1 (Musgrave et al. 2020).
        double[] test = {0.75, 0.60};
        double[] val = {0.40, 0.52};
        TrainSettings s = settings(dir.resolve("run"), 2, 0);
        RunDirectory run = RunDirectory.at(s.output(), jsc.hadoopConfiguration());
        TrainingState end = new SparkTrainer(jsc, s, SyntheticImages.trainImages(6, 32), new SyntheticImages(),
                (graph, epoch, record) -> record.eval(recallAt1(test[epoch])).val(recallAt1(val[epoch])), run)
                .train(fresh(s));

        assertEquals(1, end.bestEpoch());
        assertEquals(0.52, end.bestRecallAt1());
        TrainingState best = run.readCheckpoint(RunDirectory.BEST).state();
        assertEquals(1, best.bestEpoch());
        assertEquals(2, best.epochsCompleted(), "best/ holds the network after epoch 1");
        List<EpochRecord> epochs = run.readEpochs();
        for (int e = 0; e < 2; e++) {
            assertEquals(val[e], epochs.get(e).val().recall().get(1));
            assertEquals(test[e], epochs.get(e).eval().recall().get(1), "the test set is still reported");
        }
    }

    private static RetrievalMetrics recallAt1(double r1) {
        return EpochRecord.fromJson("{\"epoch\":0,\"loss\":1,\"eval\":{\"queries\":10,\"gallery\":10,\"dim\":16,"
                + "\"mode\":\"self\",\"recall\":{\"1\":" + r1 + "},\"map_at_r\":0.1,\"r_precision\":0.1,"
                + "\"queries_without_match\":0,\"seconds\":0}}", "synthetic").eval();
    }

    @Test
    void warmUpKeepsTheBackboneFrozenUnderParameterAveraging(@TempDir Path dir) throws Exception {
        TrainSettings s = settings(dir.resolve("run"), 1, 1);
        Checkpoint start = fresh(s);
        INDArray conv = start.graph().getParam("block1_conv_W").dup();
        INDArray proxies = start.graph().getParam("proxies_P").dup();
        train(s, start);
        Checkpoint after = RunDirectory.at(s.output(), jsc.hadoopConfiguration()).readCheckpoint(RunDirectory.LAST);
        ComputationGraph g = after.graph();
        assertEquals(conv, g.getParam("block1_conv_W"), "backbone trained during the warm-up");
        assertTrue(!proxies.equals(g.getParam("proxies_P")), "proxies did not train");
    }

    @Test
    void sameSeedAndWorkersGiveIdenticalRuns(@TempDir Path dir) throws Exception {
        TrainSettings a = settings(dir.resolve("a"), 2, 0);
        TrainSettings b = settings(dir.resolve("b"), 2, 0);
        train(a, fresh(a));
        train(b, fresh(b));
        RunDirectory ra = RunDirectory.at(a.output(), jsc.hadoopConfiguration());
        RunDirectory rb = RunDirectory.at(b.output(), jsc.hadoopConfiguration());
        assertEquals(ra.readCheckpoint(RunDirectory.LAST).graph().params(),
                rb.readCheckpoint(RunDirectory.LAST).graph().params());
    }
}
