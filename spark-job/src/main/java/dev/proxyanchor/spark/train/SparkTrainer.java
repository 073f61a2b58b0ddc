package dev.proxyanchor.spark.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.proxyanchor.model.UserInputException;
import dev.proxyanchor.model.checkpoint.Checkpoint;
import dev.proxyanchor.model.checkpoint.TrainingState;
import dev.proxyanchor.model.recipe.ParameterGroup;
import dev.proxyanchor.model.recipe.Recipe;
import dev.proxyanchor.spark.io.RunDirectory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * the evaluation runs, a metrics line is appended and the {@code last/} (and, when Recall@1 improved, {@code best/})
 * checkpoint is written.
 */
public final class SparkTrainer {

    private static final Logger log = LoggerFactory.getLogger(SparkTrainer.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Evaluates the current network; returns the metrics objects by key ({@code eval}, {@code eval_seen}). */
    @FunctionalInterface
    public interface EpochEvaluation {
        Map<String, Map<String, Object>> evaluate(ComputationGraph graph, int epoch) throws IOException;
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

    public SparkTrainer(JavaSparkContext jsc, TrainSettings settings, TrainImages images, BatchDecoder decoder,
                        EpochEvaluation evaluation, RunDirectory run) {
        this.jsc = jsc;
        this.settings = settings;
        this.images = images;
        this.decoder = decoder;
        this.evaluation = evaluation;
        this.run = run;
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

        for (int epoch = state.epochsCompleted(); epoch < settings.epochs(); epoch++) {
            sparkGraph.getNetwork().getConfiguration().setEpochCount(epoch);
            List<String> descriptors = descriptors(epoch);
            JavaRDD<String> paths = jsc.parallelize(descriptors, settings.workers());
            losses.reset();
            long t0 = System.nanoTime();
            try {
                sparkGraph.fitPaths(paths, loader);
            } catch (RuntimeException e) {
                throw new UserInputException("training stopped in epoch " + epoch + " after " + losses.steps()
                        + " worker steps: " + rootMessage(e) + ". The last complete checkpoint is kept in "
                        + run.root() + "/" + RunDirectory.LAST + " (resume with --resume)", e);
            }
            double trainSeconds = (System.nanoTime() - t0) / 1e9;
            double loss = losses.meanLoss();
            if (!Double.isFinite(loss)) {
                throw new UserInputException("the training loss of epoch " + epoch + " is " + loss
                        + "; stopping. The last complete checkpoint is kept in " + run.root() + "/"
                        + RunDirectory.LAST);
            }
            long trainedImages = (long) descriptors.size() * settings.batchSizePerWorker();

            ComputationGraph current = sparkGraph.getNetwork();
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("epoch", epoch);
            line.put("loss", loss);
            line.put("lr", learningRates(recipe, epoch));
            line.put("images_per_sec", trainedImages / trainSeconds);
            line.put("train_seconds", trainSeconds);
            double recallAt1 = Double.NaN;
            boolean evaluate = (epoch + 1) % settings.evalEvery() == 0 || epoch == settings.epochs() - 1;
            if (evaluate) {
                Map<String, Map<String, Object>> metrics = evaluation.evaluate(current, epoch);
                line.putAll(metrics);
                recallAt1 = recallAt1(metrics.get("eval"));
            }
            TrainingState next = state.afterEpoch(epoch, recallAt1);
            Checkpoint checkpoint = new Checkpoint(current, next);
            run.writeCheckpoint(RunDirectory.LAST, checkpoint);
            if (next.bestEpoch() == epoch) {
                run.writeCheckpoint(RunDirectory.BEST, checkpoint);
            }
            run.appendLine(RunDirectory.METRICS, JSON.writeValueAsString(line));
            log.info("epoch {}/{}: loss {} | {} images/s ({} s){}", epoch + 1, settings.epochs(),
                    String.format("%.4f", loss), String.format("%.0f", trainedImages / trainSeconds),
                    String.format("%.1f", trainSeconds), evaluate ? " | " + describe(line) : "");
            state = next;
        }
        return state;
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

    /** The learning rate of each of the recipe's parameter groups, by lower-case group name. */
    static Map<String, Double> learningRates(Recipe recipe, int epoch) {
        Map<String, Double> lr = new LinkedHashMap<>();
        for (ParameterGroup group : recipe.parameterGroups()) {
            lr.put(group.name().toLowerCase(java.util.Locale.ROOT), recipe.learningRate(group, epoch));
        }
        return lr;
    }

    @SuppressWarnings("unchecked")
    private static double recallAt1(Map<String, Object> eval) {
        if (eval == null || !(eval.get("recall") instanceof Map<?, ?> recall)) {
            return Double.NaN;
        }
        Object r1 = ((Map<String, Object>) recall).get("1");
        return r1 instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    @SuppressWarnings("unchecked")
    private static String describe(Map<String, Object> line) {
        StringBuilder s = new StringBuilder();
        for (String key : List.of("eval", "eval_seen")) {
            if (line.get(key) instanceof Map<?, ?> m) {
                Map<String, Object> metrics = (Map<String, Object>) m;
                s.append(key).append(": R@K ").append(metrics.get("recall"))
                        .append(" MAP@R ").append(format(metrics.get("map_at_r"))).append(' ');
            }
        }
        return s.toString().trim();
    }

    private static String format(Object value) {
        return value instanceof Number n ? String.format("%.4f", n.doubleValue()) : String.valueOf(value);
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
