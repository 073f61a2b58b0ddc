package dev.proxyanchor.spark.train;

import dev.proxyanchor.model.checkpoint.Checkpoint;
import dev.proxyanchor.spark.io.EpochRecord;
import dev.proxyanchor.spark.metrics.RetrievalMetrics;
import dev.proxyanchor.spark.progress.Durations;
import dev.proxyanchor.spark.progress.Progress;
import dev.proxyanchor.spark.progress.ProgressMeter;
import dev.proxyanchor.spark.progress.Ticker;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The driver console's view of training: during an epoch a line about every 10% of its steps and at least every
 * 30 s, with the cluster's images/s, the running loss and the ETAs of the epoch and of the run; after it, one line
 * with the epoch's loss, speed and metrics.
 *
 * <p>The run ETA assumes later epochs train as long as the latest finished one (or, in the first, as this one is
 * going) and evaluate as long as the latest evaluation: not the mean of all so far, because the first epoch and the
 * first evaluation also pay the start-up (JIT, oneDNN primitives, executors loading the network; the first
 * evaluation took 2.3x the second in the README demo) and a shared cluster's pace changes during a run. Before the
 * first evaluation its time is unknown and the ETA reads {@code >} (at least).
 */
final class ConsoleProgress implements EpochListener {

    private static final Duration MAX_SILENCE = Duration.ofSeconds(30);
    private static final Duration MIN_GAP = Duration.ofSeconds(5);
    private static final int PARTS = 10;

    private final Ticker ticker;
    private final LongSupplier clock;
    private final Consumer<String> out;
    private double latestTrainSeconds = Double.NaN;
    private double latestEvalSeconds = Double.NaN;
    private EpochStart epoch;
    private ProgressMeter meter;
    private AutoCloseable ticking = () -> { };

    ConsoleProgress(Ticker ticker, LongSupplier clock, Consumer<String> out) {
        this.ticker = ticker;
        this.clock = clock;
        this.out = out;
    }

    @Override
    public void epochStarted(EpochStart start) {
        epoch = start;
        meter = new ProgressMeter(start.steps(), clock.getAsLong(), MAX_SILENCE, MIN_GAP, PARTS);
        ticking = ticker.start(this::tick);
    }

    void tick() {
        meter.observe(epoch.counters().steps(), clock.getAsLong()).ifPresent(p -> out.accept(stepLine(p)));
    }

    @Override
    public void trainingEnded(int epochIndex) {
        stopTicking();
    }

    @Override
    public void epochEnded(EpochRecord record, Checkpoint checkpoint) {
        stopTicking();
        latestTrainSeconds = record.trainSeconds();
        if (record.evalSeconds() != null) {
            latestEvalSeconds = record.evalSeconds();
        }
        out.accept(endLine(record, checkpoint));
    }

    private void stopTicking() {
        try {
            ticking.close();
        } catch (Exception e) {
            throw new IllegalStateException("stopping the progress thread", e);
        }
        ticking = () -> { };
    }

    String stepLine(Progress p) {
        if (p.done() < 1) {
            return String.format(Locale.ROOT, "epoch %d/%d  step 0/%d  no step finished yet after %s (the executors "
                    + "load the network and decode their first batches)", epoch.epoch() + 1, epoch.epochs(),
                    epoch.steps(), Durations.format(p.elapsedSeconds()));
        }
        double epochEta = p.etaSeconds();
        double laterEpoch = Double.isNaN(latestTrainSeconds) ? p.elapsedSeconds() + epochEta : latestTrainSeconds;
        int laterEpochs = epoch.epochs() - epoch.epoch() - 1;
        int evaluations = epoch.laterEvaluations() + (epoch.evaluates() ? 1 : 0);
        return String.format(Locale.ROOT, "epoch %d/%d  step %d/%d (%d%%)  %s images/s  loss %.3g  epoch ETA %s  "
                        + "run ETA %s", epoch.epoch() + 1, epoch.epochs(), (long) p.done(), epoch.steps(),
                (int) (100 * p.fraction()), Durations.count(p.ratePerSecond() * epoch.imagesPerStep()),
                epoch.counters().meanLoss(), Durations.format(epochEta),
                runEta(epochEta + laterEpochs * laterEpoch, evaluations));
    }

    String endLine(EpochRecord record, Checkpoint checkpoint) {
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "epoch %d/%d: loss %.4f  %s images/s (%s)",
                record.epoch() + 1, epoch.epochs(), record.loss(), Durations.count(record.imagesPerSec()),
                Durations.format(record.trainSeconds())));
        if (record.inputCapacityImagesPerSec() != null) {
            line.append(String.format(Locale.ROOT, "  input %s images/s capacity, training used %s",
                    Durations.count(record.inputCapacityImagesPerSec()), Durations.count(record.imagesPerSec())));
        }
        if (record.badImages() != null && record.badImages() > 0) {
            line.append(String.format(Locale.ROOT, "  %d bad %s skipped (%s)", record.badImages(),
                    record.badImages() == 1 ? "image" : "images", SparkTrainer.BAD_IMAGES));
        }
        if (record.batchesWithoutPositivePair() != null && record.batchesWithoutPositivePair() > 0) {
            line.append(String.format(Locale.ROOT, " (%d worker batches without a positive pair)",
                    record.batchesWithoutPositivePair()));
        }
        for (Map.Entry<String, RetrievalMetrics> set : record.evaluations().entrySet()) {
            line.append("  ").append(set.getKey());
            set.getValue().recall().forEach((k, r) -> line.append(String.format(Locale.ROOT, " R@%d %.4f", k, r)));
            line.append(String.format(Locale.ROOT, " MAP@R %.4f", set.getValue().mapAtR()));
        }
        if (record.evalSeconds() != null) {
            line.append("  (evaluation ").append(Durations.format(record.evalSeconds())).append(')');
        }
        if (checkpoint.state().bestEpoch() == record.epoch()) {
            line.append(record.val() != null ? "  best so far by val R@1" : "  best so far");
        }
        int laterEpochs = epoch.epochs() - record.epoch() - 1;
        if (laterEpochs > 0) {
            line.append("  run ETA ").append(runEta(laterEpochs * latestTrainSeconds, epoch.laterEvaluations()));
        }
        return line.toString();
    }

    /** The rest of the run: training seconds plus the evaluations still to come. */
    private String runEta(double trainingLeft, int evaluationsLeft) {
        if (evaluationsLeft == 0) {
            return Durations.format(trainingLeft);
        }
        if (Double.isNaN(latestEvalSeconds)) {
            return ">" + Durations.format(trainingLeft);
        }
        return Durations.format(trainingLeft + evaluationsLeft * latestEvalSeconds);
    }
}
