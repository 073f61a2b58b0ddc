package dev.proxyanchor.spark.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxyanchor.model.EmbeddingNetwork;
import dev.proxyanchor.model.UserInputException;
import dev.proxyanchor.model.checkpoint.Checkpoint;
import dev.proxyanchor.model.checkpoint.TrainingState;
import dev.proxyanchor.model.loss.Losses;
import dev.proxyanchor.model.recipe.Optimizer;
import dev.proxyanchor.model.recipe.Recipe;
import dev.proxyanchor.spark.io.RunDirectory;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** How {@code train} validates, describes and resumes the loss, before any Spark job. */
class LossSettingsTest {

    private static TrainSettings settings(String loss, int batchSize, int workers, int imagesPerClass) {
        return new TrainSettings("fmnist", null, false, "small_cnn", "none", null, loss, 16, batchSize, 1, 1e-3, 1e-4,
                10, 0.5, Optimizer.ADAMW, 32, 0.1, 0, false, true, imagesPerClass, 100, "", "/tmp/unused", false, false,
                workers, 1, new InputOptions(1, 0, false), 1, 1, 0, 0, null);
    }

    @ParameterizedTest
    @ValueSource(strings = {"MS", "Contrastive", "Triplet", "NPair"})
    void pairBasedLossRefusesOneImagePerClassAndAcceptsRandomOrBalancedBatches(String loss) {
        UserInputException e = assertThrows(UserInputException.class, () -> settings(loss, 128, 2, 1));
        assertTrue(e.getMessage().contains("--IPC 1") && e.getMessage().contains(loss), e.getMessage());
        assertEquals(loss, settings(loss, 128, 2, 0).loss());
        assertEquals(loss, settings(loss, 128, 2, 4).loss());
    }

    @Test
    void proxyLossesTakeOneImagePerClassAndNamesAreNormalised() {
        assertEquals(Losses.PROXY_NCA, settings("proxy_nca", 128, 2, 1).loss());
    }

    @Test
    void startUpLogSaysEachWorkerMinesWithinItsOwnImages() {
        Recipe ms = Recipe.builder().model("small_cnn").loss(Losses.MS).numClasses(5).build();
        String random = TrainingJob.describeLoss(ms, settings(Losses.MS, 128, 2, 0));
        assertTrue(random.contains("within its own 64 images (--batch-size 128 / --workers 2)")
                && random.contains("random batches"), random);
        String balanced = TrainingJob.describeLoss(ms, settings(Losses.MS, 128, 2, 4));
        assertTrue(balanced.contains("4 images of each of 16 classes"), balanced);
        Recipe nca = Recipe.builder().model("small_cnn").loss(Losses.PROXY_NCA).numClasses(5).build();
        String proxies = TrainingJob.describeLoss(nca, settings(Losses.PROXY_NCA, 128, 2, 0));
        assertTrue(proxies.contains("5 proxies") && proxies.contains("lr 1.0 x --lr")
                && proxies.contains("not clipped"), proxies);
    }

    @Test
    void resumeKeepsTheRunsLossAndRefusesAnother(@TempDir Path dir) throws Exception {
        Recipe ms = Recipe.builder().model("small_cnn").loss(Losses.MS).embeddingSize(4).numClasses(3).build();
        RunDirectory run = RunDirectory.at(dir.toString(), new Configuration());
        run.writeCheckpoint(RunDirectory.LAST, new Checkpoint(EmbeddingNetwork.create(ms), TrainingState.start(ms)));

        assertEquals(Losses.MS, TrainingJob.resume(run, ms, null).state().recipe().loss());
        UserInputException e = assertThrows(UserInputException.class,
                () -> TrainingJob.resume(run, ms.toBuilder().loss(Losses.PROXY_ANCHOR).build(), null));
        assertTrue(e.getMessage().contains("--loss MS"), e.getMessage());
    }
}
