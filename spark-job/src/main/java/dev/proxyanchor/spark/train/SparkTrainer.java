package dev.proxyanchor.spark.train;

import dev.proxyanchor.datasets.DatasetException;
import dev.proxyanchor.model.UserInputException;
import dev.proxyanchor.model.checkpoint.Checkpoint;
import dev.proxyanchor.model.checkpoint.TrainingState;
import dev.proxyanchor.model.loss.ClassLabels;
import dev.proxyanchor.model.recipe.ParameterGroup;
import dev.proxyanchor.model.recipe.Recipe;
import dev.proxyanchor.model.runtime.WorkspaceSizing;
import dev.proxyanchor.spark.data.DecodedBatch;
import dev.proxyanchor.spark.io.EpochRecord;
import dev.proxyanchor.spark.io.RunDirectory;
import dev.proxyanchor.spark.progress.LiveAccumulators;
import dev.proxyanchor.spark.progress.Ticker;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The epoch loop of {@code train}: per epoch, the official batches are planned on the driver, cut into one
 * minibatch per worker, and trained by DL4J parameter averaging with each executor decoding its own images; then
 * the evaluation runs and the epoch's {@link EpochRecord} goes to the listeners: the {@code last/} and {@code best/}
 * checkpoints, the metrics file and the console, in that order.
 */
public final class SparkTrainer {

    private static final Logger log = LoggerFactory.getLogger(SparkTrainer.class);
    /** The training images skipped as unreadable ({@code --skip-bad-images}): epoch, URI and reason per line. */
    public static final String BAD_IMAGES = "bad_images.txt";

    /** Evaluates the current network and records each evaluation set's metrics in the epoch's record. */
    @FunctionalInterface
    public interface EpochEvaluation {
        void evaluate(ComputationGraph graph, int epoch, EpochRecord.Builder record) throws IOException;
    }

    /** The training images: their URIs and their labels in [0, number of training classes). */
    public record TrainImages(String[] uris, int[] labels) {
    }

    private final JavaSparkContext jsc;
    private final TrainSettings settings;
    private final TrainImages images;
    private final BatchDecoder decoder;
    private final EpochEvaluation evaluation;
    private final RunDirectory run;
    private final List<EpochListener> listeners;

    public SparkTrainer(JavaSparkContext jsc, TrainSettings settings, TrainImages images, BatchDecoder decoder,
                        EpochEvaluation evaluation, RunDirectory run) {
        this.jsc = jsc;
        this.settings = settings;
        this.images = images;
        this.decoder = decoder;
        this.evaluation = evaluation;
        this.run = run;
        this.listeners = List.of(new CheckpointWriter(run), new MetricsFile(run),
                new ConsoleProgress(Ticker.EVERY_SECOND, System::nanoTime, log::info));
    }

    /**
     * The DL4J training master for these settings: one worker minibatch per descriptor, updater state averaged. DL4J
     * neither prefetches (its prefetch thread can leave a task waiting forever on a queue it will never fill when a
     * load fails; {@link DescriptorLoader} decodes ahead instead) nor repartitions (each averaging round's RDD already
     * holds one partition per worker, in the order {@link #rounds} planned).
     */
    public static ParameterAveragingTrainingMaster trainingMaster(int workers, int batchSizePerWorker,
                                                                  int averagingFrequency, long seed) {
        // numWorkers must be given: DL4J M2 reads it from a MultiLayerNetwork (null here) when training on paths.
        return new ParameterAveragingTrainingMaster.Builder(workers, batchSizePerWorker)
                .batchSizePerWorker(batchSizePerWorker)
                .averagingFrequency(averagingFrequency)
                .workerPrefetchNumBatches(0)
                .repartionData(Repartition.Never)
                // The builder's default leaves Adam's moments out of the averaging (see shared/DESIGN.md).
                .saveUpdater(true)
                .collectTrainingStats(false)
                .rngSeed(seed)
                .build();
    }

    public TrainingState train(Checkpoint start) throws IOException {
        ComputationGraph graph = start.graph();
        TrainingState state = start.state();
        Recipe recipe = state.recipe();
        ParameterAveragingTrainingMaster master = trainingMaster(settings.workers(), settings.batchSizePerWorker(),
                settings.averagingFrequency(), settings.seed());
        SparkComputationGraph sparkGraph = new SparkComputationGraph(jsc, graph, master);
        LossAccumulator losses = new LossAccumulator(jsc);
        sparkGraph.setListeners(losses, new WorkspaceSizing());
        InputCounters input = new InputCounters(jsc);
        DescriptorLoader loader = new DescriptorLoader(decoder, recipe.numClasses(), settings.input(), input);

        try (LiveAccumulators live = LiveAccumulators.listen(jsc.sc())) {
            EpochStart.StepCounters counters = losses.live(live, settings.workers());
            for (int epoch = state.epochsCompleted(); epoch < settings.epochs(); epoch++) {
                sparkGraph.getNetwork().getConfiguration().setEpochCount(epoch);
                List<List<String>> rounds = rounds(epoch);
                List<String> descriptors = rounds.stream().flatMap(List::stream).toList();
                losses.reset();
                input.reset();
                live.forgetRunningTasks();
                EpochStart started = new EpochStart(epoch, settings.epochs(), descriptors.size() / settings.workers(),
                        settings.batchSize(), evaluates(epoch), laterEvaluations(epoch), counters);
                listeners.forEach(l -> l.epochStarted(started));
                long t0 = System.nanoTime();
                try {
                    for (List<String> round : rounds) {
                        // fitPaths counts an epoch per call; the schedules must see the real one.
                        sparkGraph.getNetwork().getConfiguration().setEpochCount(epoch);
                        sparkGraph.fitPaths(jsc.parallelize(round, settings.workers()), loader);
                    }
                } catch (Exception e) {
                    // Scala throws SparkException (checked) without declaring it.
                    throw new UserInputException("training stopped in epoch " + (epoch + 1) + " after "
                            + losses.steps() + " worker steps: " + sentence(rootMessage(e)) + " " + kept(epoch), e);
                } finally {
                    int ended = epoch;
                    listeners.forEach(l -> l.trainingEnded(ended));
                }
                double trainSeconds = (System.nanoTime() - t0) / 1e9;
                double loss = losses.meanLoss();
                if (!Double.isFinite(loss)) {
                    throw new UserInputException("the training loss of epoch " + (epoch + 1) + " is " + loss
                            + "; stopping. " + kept(epoch));
                }
                List<DecodedBatch.BadImage> bad = input.badImages();
                writeBadImages(epoch, bad);
                EpochRecord.Builder record = EpochRecord.builder(epoch).loss(loss).lr(learningRates(recipe, epoch))
                        .training((long) descriptors.size() * settings.batchSizePerWorker() - bad.size(),
                                trainSeconds)
                        .inputCapacity(input.capacityImagesPerSec()).badImages(bad.size());
                if (recipe.lossEntry().pairBased()) {
                    record.batchesWithoutPositivePair(withoutPositivePair(descriptors));
                }
                ComputationGraph current = sparkGraph.getNetwork();
                if (evaluates(epoch)) {
                    long e0 = System.nanoTime();
                    evaluation.evaluate(current, epoch, record);
                    record.evalSeconds((System.nanoTime() - e0) / 1e9);
                }
                EpochRecord done = record.build();
                state = state.afterEpoch(epoch, done.selectionRecallAt1());
                Checkpoint checkpoint = new Checkpoint(current, state);
                for (EpochListener listener : listeners) {
                    listener.epochEnded(done, checkpoint);
                }
            }
        }
        return state;
    }

    private boolean evaluates(int epoch) {
        return (epoch + 1) % settings.evalEvery() == 0 || epoch == settings.epochs() - 1;
    }

    private int laterEvaluations(int epoch) {
        int n = 0;
        for (int later = epoch + 1; later < settings.epochs(); later++) {
            n += evaluates(later) ? 1 : 0;
        }
        return n;
    }

    /**
     * The epoch's averaging rounds: up to {@code --averaging-frequency} official batches each, every batch cut into
     * one slice per worker. A round lists worker 0's slices in batch order, then worker 1's, and so on, so that
     * {@code parallelize(round, workers)} gives each partition one worker's slices in the order it trains them; each
     * descriptor names the next {@code --prefetch} slices of its partition, which its executor decodes ahead.
     */
    List<List<String>> rounds(int epoch) {
        List<int[]> batches = EpochBatches.plan(images.labels(), settings.batchSize(), settings.imagesPerClass(),
                settings.seed(), epoch);
        if (batches.isEmpty()) {
            throw new UserInputException("an epoch has no complete batch: " + images.uris().length
                    + " training images, --batch-size " + settings.batchSize() + "; lower --batch-size");
        }
        int perWorker = settings.batchSizePerWorker();
        SplittableRandom seeds = new SplittableRandom(settings.seed() ^ (0x9E3779B97F4A7C15L * (epoch + 1)));
        BatchDescriptor[][] slices = new BatchDescriptor[batches.size()][settings.workers()];
        for (int b = 0; b < batches.size(); b++) {
            for (int w = 0; w < settings.workers(); w++) {
                String[] uris = new String[perWorker];
                int[] labels = new int[perWorker];
                long[] imageSeeds = new long[perWorker];
                for (int i = 0; i < perWorker; i++) {
                    int sample = batches.get(b)[w * perWorker + i];
                    uris[i] = images.uris()[sample];
                    labels[i] = images.labels()[sample];
                    imageSeeds[i] = seeds.nextLong();
                }
                slices[b][w] = new BatchDescriptor(epoch, b, w, uris, labels, imageSeeds, List.of());
            }
        }
        List<List<String>> rounds = new ArrayList<>();
        for (int first = 0; first < batches.size(); first += settings.averagingFrequency()) {
            int end = Math.min(batches.size(), first + settings.averagingFrequency());
            List<String> round = new ArrayList<>((end - first) * settings.workers());
            for (int w = 0; w < settings.workers(); w++) {
                for (int b = first; b < end; b++) {
                    List<BatchDescriptor> ahead = new ArrayList<>();
                    for (int next = b + 1; next < Math.min(end, b + 1 + settings.input().prefetch()); next++) {
                        ahead.add(slices[next][w]);
                    }
                    round.add(slices[b][w].withAhead(ahead).encode());
                }
            }
            rounds.add(round);
        }
        return rounds;
    }

    /** Lists the images skipped in {@code epoch} ({@code --skip-bad-images}) in the run directory, and says so. */
    private void writeBadImages(int epoch, List<DecodedBatch.BadImage> bad) throws IOException {
        if (bad.isEmpty()) {
            return;
        }
        run.appendLine(BAD_IMAGES, String.join("\n", bad.stream()
                .map(image -> epoch + "\t" + image.uri() + "\t" + image.reason()).toList()));
        log.warn("epoch {}: {} unreadable training images skipped (--skip-bad-images), listed in {}/{}", epoch + 1,
                bad.size(), run.root(), BAD_IMAGES);
    }

    /**
     * The worker batches in which no two images share a class: a pair-based loss finds no positive pair there (its
     * loss is 0, or for Contrastive its negative term alone), which the epoch's record counts.
     */
    static int withoutPositivePair(List<String> descriptors) {
        int count = 0;
        for (String descriptor : descriptors) {
            if (!ClassLabels.hasPositivePair(BatchDescriptor.decode(descriptor).labels())) {
                count++;
            }
        }
        return count;
    }

    /** The learning rate of each of the recipe's parameter groups (no proxies for a loss without them). */
    static EpochRecord.LearningRates learningRates(Recipe recipe, int epoch) {
        List<ParameterGroup> groups = recipe.parameterGroups();
        return new EpochRecord.LearningRates(recipe.learningRate(ParameterGroup.BACKBONE, epoch),
                recipe.learningRate(ParameterGroup.EMBEDDING, epoch), groups.contains(ParameterGroup.PROXIES)
                        ? recipe.learningRate(ParameterGroup.PROXIES, epoch) : null);
    }

    /** What a run stopped in {@code epoch} (from 0) leaves to continue from, for the message that stops it. */
    private String kept(int epoch) {
        if (epoch == 0) {
            return "No epoch completed, so there is no checkpoint to resume: once fixed, start again with --overwrite.";
        }
        return "The checkpoint of epoch " + epoch + " is kept in " + run.root() + "/" + RunDirectory.LAST
                + " (continue with --resume).";
    }

    private static String sentence(String message) {
        return message.endsWith(".") ? message : message + ".";
    }

    private static String rootMessage(Throwable t) {
        for (Throwable cur = t; cur != null; cur = cur.getCause()) {
            if (cur instanceof UserInputException || cur instanceof DatasetException) {
                return cur.getMessage();
            }
        }
        Throwable root = t;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }
}
