package dev.proxyanchor.spark.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxyanchor.model.EmbeddingNetwork;
import dev.proxyanchor.model.checkpoint.Checkpoint;
import dev.proxyanchor.model.checkpoint.TrainingState;
import dev.proxyanchor.model.recipe.Recipe;
import dev.proxyanchor.spark.io.EpochRecord;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The training console, driven by a fake clock, fake cluster counters and a hand-driven ticker. */
class ConsoleProgressTest {

    private static final long S = 1_000_000_000L;
    private static Checkpoint checkpoint;

    private long now;
    private double steps;
    private final List<Runnable> ticks = new ArrayList<>();
    private final List<String> lines = new ArrayList<>();
    private final ConsoleProgress console = new ConsoleProgress(tick -> {
        ticks.add(tick);
        return () -> ticks.remove(tick);
    }, () -> now, lines::add);

    @BeforeAll
    static void aCheckpoint() {
        Recipe recipe = Recipe.builder().model("small_cnn").embeddingSize(4).numClasses(3).seed(1).build();
        checkpoint = new Checkpoint(EmbeddingNetwork.create(recipe), TrainingState.start(recipe));
    }

    private EpochStart epoch(int index, boolean evaluates, int laterEvaluations) {
        return new EpochStart(index, 60, 390, 150, evaluates, laterEvaluations, new EpochStart.StepCounters() {
            @Override
            public double steps() {
                return steps;
            }

            @Override
            public double meanLoss() {
                return 8.4123;
            }
        });
    }

    private void at(long seconds, double stepsDone) {
        now = seconds * S;
        steps = stepsDone;
        List.copyOf(ticks).forEach(Runnable::run);
    }

    @Test
    void theFirstEpochProjectsTheRunFromItsOwnPace() {
        console.epochStarted(epoch(0, false, 0));
        at(10, 30);
        at(40, 120); // 3 steps/s: 90 s left, epochs of 130 s
        assertEquals(List.of(
                "epoch 1/60  step 120/390 (30%)  450 images/s  loss 8.41  epoch ETA 1m30s  run ETA 2h09m"),
                lines);
    }

    @Test
    void laterEpochsUseTheFinishedEpochAndEvaluationAndTheTickerStops() {
        console.epochStarted(epoch(0, true, 2));
        at(20, 40);
        assertEquals("epoch 1/60  step 40/390 (10%)  300 images/s  loss 8.41  epoch ETA 2m55s  run ETA >3h14m",
                lines.get(0), "before the first evaluation its time is unknown: at least");
        console.trainingEnded(0);
        assertTrue(ticks.isEmpty(), "the ticker still runs after the epoch's steps");
        EpochRecord first = EpochRecord.builder(0).loss(8.0).lr(new EpochRecord.LearningRates(1, 1, 100.0))
                .training(390 * 150, 200).evalSeconds(60).build();
        console.epochEnded(first, checkpoint);
        assertEquals("epoch 1/60: loss 8.0000  293 images/s (3m20s)  (evaluation 1m00s)  run ETA 3h18m",
                lines.get(1), "59 epochs of 200 s and 2 evaluations of 60 s");

        lines.clear();
        now = 0;
        console.epochStarted(epoch(1, false, 2));
        at(30, 39);
        assertEquals("epoch 2/60  step 39/390 (10%)  195 images/s  loss 8.41  epoch ETA 4m30s  run ETA 3h19m",
                lines.get(0), "4m30s + 58 x 200 s + 2 x 60 s");
    }

    @Test
    void theRunEtaFollowsTheLatestEpochNotTheSlowFirstOne() {
        console.epochStarted(epoch(0, true, 2));
        console.epochEnded(EpochRecord.builder(0).loss(8.0).lr(new EpochRecord.LearningRates(1, 1, 100.0))
                .training(390 * 150, 300).evalSeconds(90).build(), checkpoint);
        console.epochStarted(epoch(1, true, 1));
        console.epochEnded(EpochRecord.builder(1).loss(7.0).lr(new EpochRecord.LearningRates(1, 1, 100.0))
                .training(390 * 150, 200).evalSeconds(40).build(), checkpoint);
        assertTrue(lines.get(1).endsWith("run ETA 3h14m"), "58 epochs of 200 s and 1 evaluation of 40 s: " + lines.get(1));

        lines.clear();
        now = 0;
        console.epochStarted(epoch(2, false, 1));
        at(30, 39);
        assertEquals("epoch 3/60  step 39/390 (10%)  195 images/s  loss 8.41  epoch ETA 4m30s  run ETA 3h15m",
                lines.get(0), "4m30s + 57 x 200 s + 1 x 40 s");
    }
}
