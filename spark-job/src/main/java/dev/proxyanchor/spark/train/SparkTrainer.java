package dev.proxyanchor.spark.train;

import dev.proxyanchor.model.UserInputException;
import dev.proxyanchor.model.checkpoint.Checkpoint;
import dev.proxyanchor.model.checkpoint.TrainingState;
import dev.proxyanchor.model.loss.ClassLabels;
import dev.proxyanchor.model.recipe.ParameterGroup;
import dev.proxyanchor.model.recipe.Recipe;
import dev.proxyanchor.spark.io.EpochRecord;
import dev.proxyanchor.spark.io.RunDirectory;
import dev.proxyanchor.spark.progress.LiveAccumulators;
import dev.proxyanchor.spark.progress.Ticker;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
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

    /** The DL4J training master for these settings: one worker minibatch per descriptor, updater state averaged. */
    public static ParameterAveragingTrainingMaster trainingMaster(int workers, int batchSizePerWorker,
                                                                  int averagingFrequency, int prefetch, long seed) {
        // numWorkers must be given: DL4J M2 reads it from a MultiLayerNetwork (null here) when training on paths.
        return new ParameterAveragingTrainingMaster.Builder(workers, batchSizePerWorker)
                .batchSizePerWorker(batchSizePerWorker)
                .averagingFrequency(averagingFrequency)
                .workerPrefetchNumBatches(prefetch)
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
                settings.averagingFrequency(), settings.prefetch(), settings.seed());
        SparkComputationGraph sparkGraph = new SparkComputationGraph(jsc, graph, master);
        LossAccumulator losses = new LossAccumulator(jsc);
        sparkGraph.setListeners(losses);
        DescriptorLoader loader = new DescriptorLoader(decoder, recipe.numClasses());

        try (LiveAccumulators live = LiveAccumulators.listen(jsc.sc())) {
            EpochStart.StepCounters counters = losses.live(live, settings.workers());
            for (int epoch = state.epochsCompleted(); epoch < settings.epochs(); epoch++) {
                sparkGraph.getNetwork().getConfiguration().setEpochCount(epoch);
                List<String> descriptors = descriptors(epoch);
                JavaRDD<String> paths = jsc.parallelize(descriptors, settings.workers());
                losses.reset();
                live.forgetRunningTasks();
                EpochStart started = new EpochStart(epoch, settings.epochs(), descriptors.size() / settings.workers(),
                        settings.batchSize(), evaluates(epoch), laterEvaluations(epoch), counters);
                listeners.forEach(l -> l.epochStarted(started));
                long t0 = System.nanoTime();
                try {
                    sparkGraph.fitPaths(paths, loader);
                } catch (RuntimeException e) {
                    throw new UserInputException("training stopped in epoch " + epoch + " after " + losses.steps()
                            + " worker steps: " + rootMessage(e) + ". The last complete checkpoint is kept in "
                            + run.root() + "/" + RunDirectory.LAST + " (resume with --resume)", e);
                } finally {
                    int ended = epoch;
                    listeners.forEach(l -> l.trainingEnded(ended));
                }
                double trainSeconds = (System.nanoTime() - t0) / 1e9;
                double loss = losses.meanLoss();
                if (!Double.isFinite(loss)) {
                    throw new UserInputException("the training loss of epoch " + epoch + " is " + loss
                            + "; stopping. The last complete checkpoint is kept in " + run.root() + "/"
                            + RunDirectory.LAST);
                }
                EpochRecord.Builder record = EpochRecord.builder(epoch).loss(loss).lr(learningRates(recipe, epoch))
                        .training((long) descriptors.size() * settings.batchSizePerWorker(), trainSeconds);
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

    /** Every worker minibatch of an epoch, each official batch cut into one slice per worker. */
    List<String> descriptors(int epoch) {
        List<int[]> batches = EpochBatches.plan(images.labels(), settings.batchSize(), settings.imagesPerClass(),
                settings.seed(), epoch);
        int perWorker = settings.batchSizePerWorker();
        List<String> out = new ArrayList<>(batches.size() * settings.workers());
        SplittableRandom seeds = new SplittableRandom(settings.seed() ^ (0x9E3779B97F4A7C15L * (epoch + 1)));
        for (int b = 0; b < batches.size(); b++) {
            int[] batch = batches.get(b);
            for (int w = 0; w < settings.workers(); w++) {
                String[] uris = new String[perWorker];
                int[] labels = new int[perWorker];
                long[] imageSeeds = new long[perWorker];
                for (int i = 0; i < perWorker; i++) {
                    int sample = batch[w * perWorker + i];
                    uris[i] = images.uris()[sample];
                    labels[i] = images.labels()[sample];
                    imageSeeds[i] = seeds.nextLong();
                }
                out.add(new BatchDescriptor(epoch, b, uris, labels, imageSeeds).encode());
            }
        }
        if (out.isEmpty()) {
            throw new UserInputException("an epoch has no complete batch: " + images.uris().length
                    + " training images, --batch-size " + settings.batchSize() + "; lower --batch-size");
        }
        return out;
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

    private static String rootMessage(Throwable t) {
        for (Throwable cur = t; cur != null; cur = cur.getCause()) {
            if (cur instanceof UserInputException) {
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
