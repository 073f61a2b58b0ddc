package dev.proxyanchor.spark.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.proxyanchor.datasets.DatasetException;
import dev.proxyanchor.datasets.DatasetListing;
import dev.proxyanchor.datasets.DatasetOptions;
import dev.proxyanchor.datasets.DatasetReader;
import dev.proxyanchor.datasets.Datasets;
import dev.proxyanchor.datasets.EvalMode;
import dev.proxyanchor.datasets.Role;
import dev.proxyanchor.datasets.Sample;
import dev.proxyanchor.model.EmbeddingNetwork;
import dev.proxyanchor.model.UsageException;
import dev.proxyanchor.model.UserInputException;
import dev.proxyanchor.model.backbones.Backbones;
import dev.proxyanchor.model.pretrained.PretrainedWeights;
import dev.proxyanchor.model.checkpoint.Checkpoint;
import dev.proxyanchor.model.checkpoint.TrainingState;
import dev.proxyanchor.model.checkpoint.ValidationSplit;
import dev.proxyanchor.model.loss.LossEntry;
import dev.proxyanchor.model.loss.Losses;
import dev.proxyanchor.model.loss.ProxyAnchorLoss;
import dev.proxyanchor.model.loss.ProxyHead;
import dev.proxyanchor.model.recipe.Recipe;
import dev.proxyanchor.model.runtime.CpuKernels;
import dev.proxyanchor.spark.data.DatasetBatchDecoder;
import dev.proxyanchor.spark.data.DistributedEmbedder;
import dev.proxyanchor.spark.io.CheckpointArgument;
import dev.proxyanchor.spark.io.EpochRecord;
import dev.proxyanchor.spark.io.RunDirectory;
import dev.proxyanchor.spark.knn.Embedding;
import dev.proxyanchor.spark.metrics.EvaluationOptions;
import dev.proxyanchor.spark.metrics.RetrievalEvaluator;
import dev.proxyanchor.spark.metrics.RetrievalMetrics;
import dev.proxyanchor.spark.progress.JobProgress;
import dev.proxyanchor.spark.runtime.SparkSessions;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.function.IntFunction;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * The {@code train} driver: resolves flags, lists the dataset, prepares the run directory (refusing to overwrite a
 * run unless asked), builds or resumes the network, and hands the epochs to {@link SparkTrainer} with the
 * evaluation of the dataset's protocol.
 */
public final class TrainingJob {

    private static final Logger log = LoggerFactory.getLogger(TrainingJob.class);
    /**
     * Names of settings whose values config.json leaves out: Spark's own redaction list plus credentials, and
     * {@code access_key} as in {@code spark.executorEnv.AWS_ACCESS_KEY_ID}, the usual way to hand executors S3 keys.
     */
    private static final Pattern SECRET = Pattern.compile(
            "(?i).*(secret|password|token|credential|access[._]?key).*");
    private static final int EVAL_BATCH = 256;
    /** config.json: the official checkpoint the run started from ({@code --init-from}), or null. */
    public static final String INIT_FROM_FIELD = "init_from";
    /** config.json: the ImageNet weights file the run started from ({@code --pretrained}), or null. */
    public static final String PRETRAINED_FILE_FIELD = "pretrained_file";

    private TrainingJob() {
    }

    /** @param settingsFor the settings, given Spark's default parallelism (the default number of workers) */
    public static int run(IntFunction<TrainSettings> settingsFor) throws IOException {
        boolean ownSession = SparkSession.getActiveSession().isEmpty() && SparkSession.getDefaultSession().isEmpty();
        SparkSession spark = SparkSessions.getOrCreate("proxyanchor train");
        try {
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            TrainSettings settings = settingsFor.apply(jsc.defaultParallelism());
            train(jsc, settings);
            return 0;
        } finally {
            if (ownSession) {
                spark.stop();
            }
        }
    }

    public static TrainingState train(JavaSparkContext jsc, TrainSettings s) throws IOException {
        Configuration hadoop = jsc.hadoopConfiguration();
        DatasetListing dataset = list(s, hadoop);
        ValidationSplit split = s.valClasses() == null ? null : s.valClasses().choose(dataset, s.seed());
        DatasetListing listing = split == null ? dataset : dataset.holdOut(split.heldOutClasses());
        RunDirectory run = RunDirectory.at(s.output(), hadoop);
        if (run.holdsRun() && !s.resume()) {
            if (!s.overwrite()) {
                throw new UsageException("--output " + run.root() + " already holds a run; pass --resume to "
                        + "continue it, --overwrite to replace it, or choose another --output");
            }
            run.clear();
        } else if (s.resume() && !run.hasCheckpoint(RunDirectory.LAST)) {
            throw new UserInputException("--resume: " + run.root() + " holds no last/ checkpoint to continue");
        }

        List<Sample> train = subset(listing.samples(Role.TRAIN), s.trainLimit(), s.seed());
        checkClassesPerBatch(s, train, split);
        Map<String, List<Sample>> evalSets = evalSets(listing, s);
        Recipe recipe = recipe(s, listing.numTrainClasses());
        Optional<java.nio.file.Path> weights = s.resume() || s.initFrom() != null ? Optional.empty()
                : PretrainedWeights.resolve(s.pretrained(), s.model());
        Checkpoint start = s.resume() ? resume(run, recipe, split)
                : fresh(recipe, weights, s.initFrom(), hadoop, split);
        run.writeText(RunDirectory.CONFIG, config(s, listing, split, train.size(), evalSets, jsc, weights, hadoop));

        log.info("{}: {} training images of {} classes; {} evaluation ({})", listing.dataset(), train.size(),
                listing.numTrainClasses(), listing.evalMode().key(), describeEval(listing));
        if (split != null) {
            log.info("validation: {}", describeSplit(dataset, split, evalSets.get(Role.VAL.key()).size(), s.seed()));
        }
        log.info("batch: {} images per step = {} workers x {}; parameters and Adam state averaged every {} steps "
                + "({} images between averages)", s.batchSize(), s.workers(), s.batchSizePerWorker(),
                s.averagingFrequency(), s.batchSize() * s.averagingFrequency());
        log.info("loss: {}", describeLoss(start.state().recipe(), s));
        warnIgnoredFlags(s, start.state().recipe().lossEntry());
        log.info("kernels: {}", CpuKernels.describe());
        if (s.resume()) {
            log.info("resuming {} at epoch {} (best {} R@1 so far {})", run.root(),
                    start.state().epochsCompleted() + 1, split == null ? "test" : "val", start.state().bestRecallAt1());
        }

        DatasetBatchDecoder decoder = new DatasetBatchDecoder(hadoop, Backbones.create(s.model()).inputSpec());
        SparkTrainer.TrainImages images = new SparkTrainer.TrainImages(
                train.stream().map(Sample::uri).toArray(String[]::new),
                train.stream().mapToInt(Sample::label).toArray());
        checkLabels(images, listing.numTrainClasses());
        SparkTrainer.EpochEvaluation evaluation = (graph, epoch, record) -> evaluate(jsc, graph, evalSets, listing,
                decoder, s.workers(), record);
        return new SparkTrainer(jsc, s, images, decoder, evaluation, run).train(start);
    }

    private static DatasetListing list(TrainSettings s, Configuration hadoop) {
        DatasetReader reader = Datasets.reader(s.dataset());
        String root = s.dataRoot() != null ? s.dataRoot() : reader.defaultRoot();
        if (root == null) {
            throw new UsageException("--data-root is required for --dataset " + s.dataset());
        }
        try {
            return reader.list(root, DatasetOptions.defaults().withEvalSeen(s.evalSeen()), hadoop);
        } catch (DatasetException e) {
            throw new UserInputException(e.getMessage(), e);
        }
    }

    private static Recipe recipe(TrainSettings s, int trainClasses) {
        return Recipe.builder().model(s.model()).loss(s.loss()).embeddingSize(s.embeddingSize())
                .numClasses(trainClasses)
                .optimizer(s.optimizer()).lr(s.lr()).weightDecay(s.weightDecay()).lrDecayStep(s.lrDecayStep())
                .lrDecayGamma(s.lrDecayGamma()).proxyLrScale(s.proxyLrScale()).warm(s.warm())
                .bnFreeze(s.bnFreeze()).l2Norm(s.l2Norm()).alpha(s.alpha()).margin(s.mrg()).seed(s.seed()).build();
    }

    /** A new network: from the official checkpoint {@code initFrom} if given, else from the ImageNet weights. */
    private static Checkpoint fresh(Recipe recipe, Optional<java.nio.file.Path> weights, String initFrom,
            Configuration hadoop, ValidationSplit split) throws IOException {
        ComputationGraph graph = EmbeddingNetwork.create(recipe);
        if (initFrom != null) {
            log.info("--init-from {}", CheckpointArgument.loadOfficial(graph, Backbones.create(recipe.model()),
                    initFrom, hadoop));
        }
        weights.ifPresent(path -> log.info("pretrained backbone: {}",
                PretrainedWeights.load(graph, Backbones.create(recipe.model()), path)));
        return new Checkpoint(graph, TrainingState.start(recipe, split));
    }

    /** @param split the validation split the flags describe, or null */
    static Checkpoint resume(RunDirectory run, Recipe recipe, ValidationSplit split) throws IOException {
        Checkpoint last = run.readCheckpoint(RunDirectory.LAST);
        String trainedWith = last.state().recipe().loss();
        if (!trainedWith.equals(recipe.loss())) {
            throw new UsageException("--resume: the run in " + run.root() + " was trained with --loss "
                    + trainedWith + ", not " + recipe.loss() + "; a run keeps its loss: pass --loss " + trainedWith
                    + " (or start a new run in another --output)");
        }
        requireSameSplit(run, last.state(), split, recipe.seed());
        Checkpoint.requireSameParameters(EmbeddingNetwork.create(recipe), last.graph(), run.root() + "/last");
        if (!last.state().recipe().equals(recipe)) {
            log.warn("--resume: the flags describe recipe {} but the run was trained with {}; continuing with the "
                    + "run's own recipe", recipe, last.state().recipe());
        }
        return last;
    }

    /**
     * A resumed run keeps its validation split: the classes its proxies stand for and the set its {@code best/} was
     * chosen on. The flags must hold out the same classes (the same --val-classes and --seed on the same dataset).
     */
    private static void requireSameSplit(RunDirectory run, TrainingState state, ValidationSplit split, long seed) {
        ValidationSplit kept = state.validationSplit();
        if (Objects.equals(classes(kept), classes(split))) {
            return;
        }
        String where = "--resume: the run in " + run.root();
        if (kept == null) {
            throw new UsageException(where + " trains on every training class and chooses best/ by the test set; "
                    + "it cannot take --val-classes " + split.valClasses() + " now: drop --val-classes (or start a "
                    + "new run in another --output)");
        }
        String keep = "--val-classes " + kept.valClasses() + " --seed " + state.recipe().seed();
        if (split == null) {
            throw new UsageException(where + " holds out classes " + kept.heldOutClasses() + " for validation ("
                    + keep + "); a run keeps its validation split: pass " + keep);
        }
        throw new UsageException(where + " holds out classes " + kept.heldOutClasses() + " for validation ("
                + keep + "), but --val-classes " + split.valClasses() + " --seed " + seed + " holds out "
                + split.heldOutClasses() + "; a run keeps its validation split: pass " + keep);
    }

    private static List<List<Integer>> classes(ValidationSplit split) {
        return split == null ? null : List.of(split.heldOutClasses(), split.trainedClasses());
    }

    /** The validation split for the start-up log: which classes, how many images, what it decides. */
    static String describeSplit(DatasetListing dataset, ValidationSplit split, int valImages, long seed) {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
                "--val-classes %s holds out %d of %s's %d training classes (chosen with --seed %d): classes %s, "
                        + "%d of their training images evaluated all against all as 'val' after each evaluated "
                        + "epoch; best/ is chosen by val R@1 (Musgrave et al. 2020), the test sets are still "
                        + "reported. Training labels 0..%d are the dataset's classes %s",
                split.valClasses(), split.heldOutClasses().size(), dataset.dataset(), dataset.numTrainClasses(),
                seed, split.heldOutClasses(), valImages, split.trainedClasses().size() - 1,
                split.trainedClasses()));
        long single = ValidationClasses.singleImageClasses(dataset);
        if (single > 0) {
            s.append("; ").append(single).append(" classes with a single training image were never eligible (no "
                    + "same-class neighbour to find)");
        }
        if (!dataset.samples(Role.EVAL_SEEN).isEmpty()) {
            s.append("; eval_seen keeps the test images of the trained classes only");
        }
        return s.toString();
    }

    /**
     * The balanced sampler ({@code --IPC}) draws {@code --batch-size / --IPC} distinct classes for every batch: there
     * must be that many among the training images (fewer with classes held out or a --train-limit subset).
     */
    static void checkClassesPerBatch(TrainSettings s, List<Sample> train, ValidationSplit split) {
        if (s.imagesPerClass() == 0) {
            return;
        }
        int perBatch = s.batchSize() / s.imagesPerClass();
        long classes = train.stream().mapToInt(Sample::label).distinct().count();
        if (perBatch > classes) {
            throw new UsageException("--batch-size " + s.batchSize() + " with --IPC " + s.imagesPerClass()
                    + " draws " + perBatch + " distinct classes for every batch, but the training images hold "
                    + classes + " classes" + (split == null ? "" : " (" + split.heldOutClasses().size()
                    + " held out by --val-classes " + split.valClasses() + ")") + ": raise --IPC to at least "
                    + (s.batchSize() + classes - 1) / classes + " or lower --batch-size");
        }
    }

    /**
     * What the loss trains on, for the start-up log: its proxies, or (a pair-based loss) the images each worker mines
     * within: under parameter averaging every worker sees only its own {@code --batch-size / --workers} images.
     */
    static String describeLoss(Recipe recipe, TrainSettings s) {
        LossEntry loss = recipe.lossEntry();
        if (loss.proxyHead().isPresent()) {
            ProxyHead head = loss.proxyHead().get();
            return String.format(Locale.ROOT, "%s against %d proxies (one per training class), lr %s x --lr, %s",
                    loss.name(), recipe.numClasses(), head.learningRateScale().applyAsDouble(recipe),
                    head.clipped() ? "gradients clipped" : "gradients not clipped");
        }
        String batches = s.imagesPerClass() > 0
                ? s.imagesPerClass() + " images of each of " + s.batchSizePerWorker() / s.imagesPerClass() + " classes"
                : "random batches (no --IPC); a worker batch without two images of one class has no positive pair, "
                        + "and each epoch's line counts those batches";
        return loss.name() + ": each worker mines pairs within its own " + s.batchSizePerWorker()
                + " images (--batch-size " + s.batchSize() + " / --workers " + s.workers() + "), " + batches;
    }

    /** The official code passes --alpha and --mrg to Proxy_Anchor only; say so when they are set for another loss. */
    private static void warnIgnoredFlags(TrainSettings s, LossEntry loss) {
        Map<String, Boolean> set = new LinkedHashMap<>();
        set.put("--alpha", s.alpha() != ProxyAnchorLoss.DEFAULT_ALPHA);
        set.put("--mrg", s.mrg() != ProxyAnchorLoss.DEFAULT_MARGIN);
        set.put("--proxy-lr-scale", s.proxyLrScale() != Recipe.DEFAULT_PROXY_LR_SCALE);
        List<String> ignored = set.entrySet().stream()
                .filter(flag -> flag.getValue() && !loss.flags().contains(flag.getKey()))
                .map(Map.Entry::getKey).toList();
        if (!ignored.isEmpty()) {
            log.warn("{} only apply to {} (as in the official code): ignored with --loss {}",
                    String.join(", ", ignored), Losses.PROXY_ANCHOR, loss.name());
        }
    }

    private static void checkLabels(SparkTrainer.TrainImages images, int trainClasses) {
        for (int i = 0; i < images.labels().length; i++) {
            if (images.labels()[i] < 0 || images.labels()[i] >= trainClasses) {
                throw new UserInputException("training image " + images.uris()[i] + " has label "
                        + images.labels()[i] + ", outside [0, " + trainClasses + "), the number of training classes");
            }
        }
    }

    /**
     * The evaluation sets by metrics key: eval (and eval_seen), or query/gallery as one "eval"; and val, the
     * held-out classes' training images, with --val-classes. --eval-limit applies to each.
     */
    private static Map<String, List<Sample>> evalSets(DatasetListing listing, TrainSettings s) {
        Map<String, List<Sample>> sets = new LinkedHashMap<>();
        if (listing.evalMode() == EvalMode.QUERY_GALLERY) {
            sets.put(Role.QUERY.key(), subset(listing.samples(Role.QUERY), s.evalLimit(), s.seed()));
            sets.put(Role.GALLERY.key(), subset(listing.samples(Role.GALLERY), s.evalLimit(), s.seed()));
        } else {
            sets.put(Role.EVAL.key(), subset(listing.samples(Role.EVAL), s.evalLimit(), s.seed()));
            List<Sample> seen = listing.samples(Role.EVAL_SEEN);
            if (!seen.isEmpty()) {
                sets.put(Role.EVAL_SEEN.key(), subset(seen, s.evalLimit(), s.seed()));
            }
        }
        List<Sample> val = listing.samples(Role.VAL);
        if (!val.isEmpty()) {
            sets.put(Role.VAL.key(), subset(val, s.evalLimit(), s.seed()));
        }
        return sets;
    }

    private static void evaluate(JavaSparkContext jsc, ComputationGraph graph, Map<String, List<Sample>> sets,
            DatasetListing listing, DatasetBatchDecoder decoder, int workers, EpochRecord.Builder record) {
        int partitions = Math.max(1, 2 * workers);
        LongAccumulator embedded = jsc.sc().longAccumulator("evaluation images embedded");
        if (listing.evalMode() == EvalMode.QUERY_GALLERY) {
            List<Sample> querySamples = sets.get(Role.QUERY.key());
            List<Sample> gallerySamples = sets.get(Role.GALLERY.key());
            JavaRDD<Embedding> queries = embed(jsc, graph, querySamples, decoder, partitions, 0, embedded);
            JavaRDD<Embedding> gallery = embed(jsc, graph, gallerySamples, decoder, partitions, querySamples.size(),
                    embedded);
            try (JobProgress progress = JobProgress.ofAccumulator(jsc.sc(), "embedding query and gallery", "images",
                    querySamples.size() + gallerySamples.size(), embedded)) {
                record.eval(RetrievalEvaluator.evaluate(jsc, queries, gallery, listing.recallK(),
                        EvaluationOptions.defaults()));
            }
        } else {
            record.eval(selfRetrieval(jsc, graph, Role.EVAL, sets, listing, decoder, partitions));
            if (sets.containsKey(Role.EVAL_SEEN.key())) {
                record.evalSeen(selfRetrieval(jsc, graph, Role.EVAL_SEEN, sets, listing, decoder, partitions));
            }
        }
        if (sets.containsKey(Role.VAL.key())) {
            record.val(selfRetrieval(jsc, graph, Role.VAL, sets, listing, decoder, partitions));
        }
    }

    private static RetrievalMetrics selfRetrieval(JavaSparkContext jsc, ComputationGraph graph, Role role,
            Map<String, List<Sample>> sets, DatasetListing listing, DatasetBatchDecoder decoder, int partitions) {
        List<Sample> samples = sets.get(role.key());
        LongAccumulator embedded = jsc.sc().longAccumulator("evaluation images embedded");
        JavaRDD<Embedding> embeddings = embed(jsc, graph, samples, decoder, partitions, 0, embedded);
        // The evaluator embeds the images lazily, in its first Spark jobs: lines while they run.
        try (JobProgress progress = JobProgress.ofAccumulator(jsc.sc(), "embedding " + role.key(), "images",
                samples.size(), embedded)) {
            return RetrievalEvaluator.evaluate(jsc, embeddings, null, listing.recallK(), EvaluationOptions.defaults());
        }
    }

    /** The samples' embeddings, computed lazily on the executors, each counted in {@code embedded}. */
    private static JavaRDD<Embedding> embed(JavaSparkContext jsc, ComputationGraph graph, List<Sample> samples,
            DatasetBatchDecoder decoder, int partitions, long firstId, LongAccumulator embedded) {
        List<DistributedEmbedder.Item> items = new ArrayList<>(samples.size());
        for (int i = 0; i < samples.size(); i++) {
            items.add(new DistributedEmbedder.Item(firstId + i, samples.get(i).uri(), samples.get(i).label()));
        }
        return DistributedEmbedder.embed(jsc, graph, items, decoder, EVAL_BATCH, partitions).map(e -> {
            embedded.add(1);
            return e;
        });
    }

    /** A seeded random subset of {@code limit} samples in their original order (all when limit is 0). */
    static List<Sample> subset(List<Sample> samples, int limit, long seed) {
        if (limit <= 0 || limit >= samples.size()) {
            return samples;
        }
        List<Integer> order = new ArrayList<>(samples.size());
        for (int i = 0; i < samples.size(); i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(seed));
        List<Integer> chosen = new ArrayList<>(order.subList(0, limit));
        Collections.sort(chosen);
        return chosen.stream().map(samples::get).toList();
    }

    private static String qualified(String uri, Configuration hadoop) throws IOException {
        org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(uri);
        return path.getFileSystem(hadoop).makeQualified(path).toString();
    }

    private static String describeEval(DatasetListing listing) {
        StringBuilder s = new StringBuilder();
        for (Role role : listing.roles()) {
            s.append(role.key()).append(' ').append(listing.imageCount(role)).append(" images/")
                    .append(listing.classCount(role)).append(" classes; ");
        }
        return s.toString().trim();
    }

    private static String config(TrainSettings s, DatasetListing listing, ValidationSplit split, int trainImages,
            Map<String, List<Sample>> evalSets, JavaSparkContext jsc, Optional<java.nio.file.Path> weights,
            Configuration hadoop) throws IOException {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("settings", s);
        // Where the network started, as URIs any machine can read: what export takes the unused classifier from.
        config.put(INIT_FROM_FIELD, s.initFrom() == null ? null : qualified(s.initFrom(), hadoop));
        config.put(PRETRAINED_FILE_FIELD, weights.map(p -> p.toAbsolutePath().toUri().toString()).orElse(null));
        config.put("dataset", Map.of("name", listing.dataset(), "train_classes", listing.numTrainClasses(),
                "eval_mode", listing.evalMode().key(), "train_images", trainImages));
        if (split != null) {
            Map<String, Object> validation = new LinkedHashMap<>();
            validation.put("val_classes", split.valClasses());
            validation.put("held_out_classes", split.heldOutClasses());
            validation.put("trained_classes", split.trainedClasses());
            validation.put("val_images", evalSets.get(Role.VAL.key()).size());
            validation.put("best_chosen_by", "val R@1");
            config.put("validation", validation);
        }
        config.put("batch_size_per_worker", s.batchSizePerWorker());
        Map<String, String> versions = new LinkedHashMap<>();
        versions.put("java", System.getProperty("java.version"));
        versions.put("spark", jsc.version());
        versions.put("dl4j", org.deeplearning4j.nn.conf.NeuralNetConfiguration.class.getPackage()
                .getImplementationVersion());
        versions.put("kernels", CpuKernels.describe());
        config.put("versions", versions);
        Map<String, String> spark = new LinkedHashMap<>();
        for (Tuple2<String, String> entry : jsc.getConf().getAll()) {
            spark.put(entry._1(), SECRET.matcher(entry._1()).matches() ? "(redacted)" : entry._2());
        }
        config.put("spark_conf", new java.util.TreeMap<>(spark));
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(config);
    }
}
