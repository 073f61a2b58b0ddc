package dev.proxyanchor.spark.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxyanchor.model.EmbeddingNetwork;
import dev.proxyanchor.model.checkpoint.Checkpoint;
import dev.proxyanchor.model.checkpoint.TrainingState;
import dev.proxyanchor.model.recipe.Recipe;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a crash in the middle of a replacement leaves, on a file system whose directory rename is atomic and on an
 * object store whose rename copies file by file (simulated here by a checkpoint directory holding only one file).
 */
class RunDirectoryTest {

    private static Recipe recipe;
    private static Checkpoint first;
    private static Checkpoint second;

    @BeforeAll
    static void checkpoints() {
        recipe = Recipe.builder().model("small_cnn").embeddingSize(4).numClasses(3).seed(1).build();
        var graph = EmbeddingNetwork.create(recipe);
        first = new Checkpoint(graph, TrainingState.start(recipe));
        second = new Checkpoint(graph, TrainingState.start(recipe).afterEpoch(0, 0.5));
    }

    @Test
    void replacingLeavesOneCompleteCheckpointAndNoTemporaryNames(@TempDir Path dir) throws Exception {
        RunDirectory run = RunDirectory.at(dir.toString(), new Configuration());
        run.writeCheckpoint(RunDirectory.LAST, first);
        run.writeCheckpoint(RunDirectory.LAST, second);
        assertEquals(1, run.readCheckpoint(RunDirectory.LAST).state().epochsCompleted());
        try (var names = Files.list(dir)) {
            assertEquals(java.util.List.of(RunDirectory.LAST), names.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void anInterruptedDirectoryRenameFallsBackToTheOldCheckpointAndIsReplacedCleanly(@TempDir Path dir)
            throws Exception {
        RunDirectory run = RunDirectory.at(dir.toString(), new Configuration());
        run.writeCheckpoint(RunDirectory.LAST, first);
        // last/ moved aside, then the copy of the new last/ stopped after its first object.
        Path last = dir.resolve(RunDirectory.LAST);
        Path old = dir.resolve(RunDirectory.LAST + ".old");
        Files.move(last, old);
        Files.createDirectories(last);
        Files.copy(old.resolve(Checkpoint.MODEL_FILE), last.resolve(Checkpoint.MODEL_FILE));

        assertTrue(run.hasCheckpoint(RunDirectory.LAST));
        assertEquals(0, run.readCheckpoint(RunDirectory.LAST).state().epochsCompleted(), "read from last.old");

        run.writeCheckpoint(RunDirectory.LAST, second);
        assertEquals(1, run.readCheckpoint(RunDirectory.LAST).state().epochsCompleted());
        assertTrue(Files.exists(last.resolve(Checkpoint.STATE_FILE)));
        assertFalse(Files.exists(old), "the complete old checkpoint is removed once the new one is in place");
    }

    @Test
    void anIncompleteCheckpointWithNothingToFallBackOnIsNoCheckpoint(@TempDir Path dir) throws Exception {
        RunDirectory run = RunDirectory.at(dir.toString(), new Configuration());
        Files.createDirectories(dir.resolve(RunDirectory.BEST));
        Files.writeString(dir.resolve(RunDirectory.BEST).resolve(Checkpoint.MODEL_FILE), "partial");
        assertFalse(run.hasCheckpoint(RunDirectory.BEST));
    }

    @Test
    void metricsWrittenBeforeACrashBetweenTheTwoRenamesAreKept(@TempDir Path dir) throws Exception {
        RunDirectory run = RunDirectory.at(dir.toString(), new Configuration());
        run.appendLine(RunDirectory.METRICS, "{\"epoch\":0}");
        Files.move(dir.resolve(RunDirectory.METRICS), dir.resolve(RunDirectory.METRICS + ".old"));

        run.appendLine(RunDirectory.METRICS, "{\"epoch\":1}");
        assertEquals("{\"epoch\":0}\n{\"epoch\":1}\n", run.readText(RunDirectory.METRICS));
        assertFalse(Files.exists(dir.resolve(RunDirectory.METRICS + ".old")));
    }
}
