package dev.proxyanchor.spark.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxyanchor.datasets.DatasetListing;
import dev.proxyanchor.datasets.EvalMode;
import dev.proxyanchor.datasets.Role;
import dev.proxyanchor.datasets.Sample;
import dev.proxyanchor.model.EmbeddingNetwork;
import dev.proxyanchor.model.UsageException;
import dev.proxyanchor.model.UserInputException;
import dev.proxyanchor.model.checkpoint.Checkpoint;
import dev.proxyanchor.model.checkpoint.TrainingState;
import dev.proxyanchor.model.checkpoint.ValidationSplit;
import dev.proxyanchor.model.recipe.Optimizer;
import dev.proxyanchor.model.recipe.Recipe;
import dev.proxyanchor.spark.io.RunDirectory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** --val-classes: what it accepts, which classes it holds out, and how a resumed run keeps them; no Spark job. */
class ValidationClassesTest {

    /** {@code classes} training classes with {@code images[c % images.length]} images each, one test class. */
    private static DatasetListing listing(int classes, int... images) {
        List<Sample> samples = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            for (int i = 0; i < images[c % images.length]; i++) {
                samples.add(new Sample("img-" + c + "-" + i, c, Role.TRAIN));
            }
        }
        samples.add(new Sample("test-0", 100, Role.EVAL));
        return new DatasetListing("toy", samples, EvalMode.SELF, new int[] {1, 2});
    }

    @Test
    void aCountOrAFractionIsAccepted() {
        assertEquals(3, ValidationClasses.parse("3").resolve("toy", 10));
        assertEquals(2, ValidationClasses.parse("0.2").resolve("toy", 10));
        assertEquals(20, ValidationClasses.parse("0.2").resolve("toy", 100));
        assertEquals(2, ValidationClasses.parse("0.4").resolve("fmnist", 5));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "0", "-3", "1.0", "1.5", "0.0", "-0.2", "abc", "2x"})
    void aValueThatCannotMakeAValidationSetIsRefusedNamingTheFlag(String value) {
        UserInputException e = assertThrows(UsageException.class, () -> ValidationClasses.parse(value));
        assertTrue(e.getMessage().startsWith("--val-classes") && !e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void oneClassIsRefusedBecauseItsRecallIsOneWhateverTheNetwork() {
        UserInputException e = assertThrows(UsageException.class, () -> ValidationClasses.parse("1"));
        assertTrue(e.getMessage().contains("at least 2") && e.getMessage().contains("same-class"), e.getMessage());
    }

    @Test
    void aSplitMustLeaveTwoClassesOnEachSide() {
        UserInputException tooMany = assertThrows(UsageException.class,
                () -> ValidationClasses.parse("4").resolve("fmnist", 5));
        assertTrue(tooMany.getMessage().contains("leaves 1 of fmnist's 5") && tooMany.getMessage()
                .contains("hold out at most 3"), tooMany.getMessage());
        UserInputException tooFew = assertThrows(UsageException.class,
                () -> ValidationClasses.parse("0.2").resolve("fmnist", 5));
        assertTrue(tooFew.getMessage().contains("--val-classes 0.2 (1 of fmnist's 5 training classes)")
                && tooFew.getMessage().contains("--val-classes 2"), tooFew.getMessage());
        assertThrows(UsageException.class, () -> ValidationClasses.parse("0.9").resolve("fmnist", 5));
    }

    @Test
    void theSplitIsClassDisjointSeededAndReproducible() {
        DatasetListing toy = listing(20, 3);
        ValidationClasses five = ValidationClasses.parse("5");
        ValidationSplit split = five.choose(toy, 7);

        assertEquals(5, split.heldOutClasses().size());
        assertEquals(15, split.trainedClasses().size());
        Set<Integer> all = new TreeSet<>(split.heldOutClasses());
        all.addAll(split.trainedClasses());
        assertEquals(20, all.size(), "every class on exactly one side");
        assertEquals(split, five.choose(toy, 7), "same listing, value and seed: same split");
        Set<List<Integer>> bySeed = new HashSet<>();
        for (long seed = 0; seed < 10; seed++) {
            bySeed.add(five.choose(toy, seed).heldOutClasses());
        }
        assertTrue(bySeed.size() >= 8, "the seed chooses the classes: " + bySeed);
        assertNotEquals(List.of(0, 1, 2, 3, 4), split.heldOutClasses());
    }

    @Test
    void theTrainingListingRenumbersTheTrainedClassesAndTheProxiesCoverExactlyThem() {
        DatasetListing toy = listing(8, 4);
        ValidationSplit split = ValidationClasses.parse("3").choose(toy, 1);
        DatasetListing training = toy.holdOut(split.heldOutClasses());

        assertEquals(5, training.numTrainClasses());
        for (Sample s : training.samples(Role.TRAIN)) {
            assertEquals("img-" + split.trainedClasses().get(s.label()), s.uri().substring(0, s.uri().lastIndexOf('-')));
        }
        assertEquals(12, training.imageCount(Role.VAL));
        assertEquals(Set.copyOf(split.heldOutClasses()),
                Set.copyOf(training.samples(Role.VAL).stream().map(Sample::label).toList()));

        Recipe recipe = Recipe.builder().model("small_cnn").embeddingSize(4).numClasses(training.numTrainClasses())
                .build();
        assertArrayEquals(new long[] {5, 4}, EmbeddingNetwork.create(recipe).getParam("proxies_P").shape(),
                "one proxy per trained class");
    }

    @Test
    void aClassWithASingleImageIsNeverHeldOut() {
        DatasetListing toy = listing(10, 1, 5);
        for (long seed = 0; seed < 20; seed++) {
            assertTrue(ValidationClasses.parse("5").choose(toy, seed).heldOutClasses().stream()
                    .allMatch(c -> c % 2 == 1), "seed " + seed);
        }
        assertEquals(5, ValidationClasses.singleImageClasses(toy));
        UserInputException e = assertThrows(UsageException.class,
                () -> ValidationClasses.parse("6").choose(toy, 1));
        assertTrue(e.getMessage().contains("only 5 of toy's 10 training classes have the 2 or more images")
                && e.getMessage().contains("hold out at most 5"), e.getMessage());
    }

    @Test
    void theStartUpLogNamesTheClassesAndWhatChoosesBest() {
        DatasetListing toy = listing(6, 3);
        ValidationSplit split = ValidationClasses.parse("2").choose(toy, 3);
        String line = TrainingJob.describeSplit(toy, split, 6, 3);
        assertTrue(line.contains("--val-classes 2 holds out 2 of toy's 6 training classes (chosen with --seed 3): "
                + "classes " + split.heldOutClasses()), line);
        assertTrue(line.contains("best/ is chosen by val R@1") && line.contains("Training labels 0..3 are the "
                + "dataset's classes " + split.trainedClasses()), line);
    }

    @Test
    void balancedBatchesNeedAsManyClassesAsTheyDraw() {
        DatasetListing training = listing(5, 10).holdOut(List.of(0, 1));
        TrainSettings ipc4 = settings(128, 4, "/tmp/unused", false);
        ValidationSplit split = new ValidationSplit("2", List.of(0, 1), List.of(2, 3, 4));
        UserInputException e = assertThrows(UsageException.class,
                () -> TrainingJob.checkClassesPerBatch(ipc4, training.samples(Role.TRAIN), split));
        assertTrue(e.getMessage().contains("draws 32 distinct classes for every batch, but the training images hold 3 "
                + "classes (2 held out by --val-classes 2)"), e.getMessage());
        TrainingJob.checkClassesPerBatch(settings(4, 2, "/tmp/unused", false), training.samples(Role.TRAIN), split);
    }

    @Test
    void aResumedRunKeepsItsSplit(@TempDir Path dir) throws Exception {
        DatasetListing toy = listing(6, 3);
        ValidationSplit split = ValidationClasses.parse("2").choose(toy, 1);
        Recipe recipe = Recipe.builder().model("small_cnn").embeddingSize(4).numClasses(4).seed(1).build();
        RunDirectory run = RunDirectory.at(dir.toString(), new Configuration());
        run.writeCheckpoint(RunDirectory.LAST, new Checkpoint(EmbeddingNetwork.create(recipe),
                TrainingState.start(recipe, split)));

        assertEquals(split, TrainingJob.resume(run, recipe, ValidationClasses.parse("2").choose(toy, 1)).state()
                .validationSplit());
        ValidationSplit other = ValidationClasses.parse("2").choose(toy, 2);
        assertNotEquals(split.heldOutClasses(), other.heldOutClasses(), "seeds 1 and 2 happen to agree");
        String differs = assertThrows(UsageException.class, () -> TrainingJob.resume(run, recipe, other))
                .getMessage();
        assertTrue(differs.contains("holds out classes " + split.heldOutClasses()) && differs.contains(
                "pass --val-classes 2 --seed 1"), differs);
        String dropped = assertThrows(UsageException.class, () -> TrainingJob.resume(run, recipe, null))
                .getMessage();
        assertTrue(dropped.contains("pass --val-classes 2 --seed 1"), dropped);

        Recipe all = recipe.toBuilder().numClasses(6).build();
        run.writeCheckpoint(RunDirectory.LAST, new Checkpoint(EmbeddingNetwork.create(all), TrainingState.start(all)));
        String added = assertThrows(UsageException.class, () -> TrainingJob.resume(run, all, split)).getMessage();
        assertTrue(added.contains("trains on every training class") && added.contains("drop --val-classes"), added);
    }

    private static TrainSettings settings(int batchSize, int imagesPerClass, String output, boolean resume) {
        return new TrainSettings("toy", null, false, "small_cnn", "none", null, "Proxy_Anchor", 4, batchSize, 1, 1e-3,
                1e-4, 10, 0.5, Optimizer.ADAMW, 32, 0.1, 0, false, true, imagesPerClass, 100, "", output, resume, false,
                2, 1, new InputOptions(1, 0, false), 1, 1, 0, 0, ValidationClasses.parse("2"));
    }
}
