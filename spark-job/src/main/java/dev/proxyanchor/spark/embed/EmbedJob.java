package dev.proxyanchor.spark.embed;

import dev.proxyanchor.datasets.DatasetException;
import dev.proxyanchor.datasets.DatasetListing;
import dev.proxyanchor.datasets.DatasetOptions;
import dev.proxyanchor.datasets.DatasetReader;
import dev.proxyanchor.datasets.Datasets;
import dev.proxyanchor.datasets.EvalMode;
import dev.proxyanchor.datasets.Role;
import dev.proxyanchor.datasets.Sample;
import dev.proxyanchor.model.UsageException;
import dev.proxyanchor.model.UserInputException;
import dev.proxyanchor.model.backbones.Backbones;
import dev.proxyanchor.model.checkpoint.Checkpoint;
import dev.proxyanchor.model.recipe.Recipe;
import dev.proxyanchor.spark.data.DatasetBatchDecoder;
import dev.proxyanchor.spark.data.DistributedEmbedder;
import dev.proxyanchor.spark.io.CheckpointArgument;
import dev.proxyanchor.spark.io.EmbeddingFiles;
import dev.proxyanchor.spark.io.EmbeddingFormat;
import dev.proxyanchor.spark.io.EmbeddingMetadata;
import dev.proxyanchor.spark.io.EmbeddingRecord;
import dev.proxyanchor.spark.io.RunDirectory;
import dev.proxyanchor.spark.progress.JobProgress;
import dev.proxyanchor.spark.runtime.SparkSessions;
import dev.proxyanchor.spark.runtime.TaskErrors;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code embed} driver: reads a checkpoint (this tool's, or the official PyTorch code's), lists the dataset,
 * embeds the chosen roles on the executors with the checkpoint's backbone transforms, and writes the rows (id, path,
 * label, role, embedding) to any Hadoop URI in the {@link EmbeddingFormat} the output's extension names.
 */
public final class EmbedJob {

    private static final Logger log = LoggerFactory.getLogger(EmbedJob.class);

    /**
     * @param model         the backbone of an official PyTorch checkpoint file (null for a checkpoint of this tool,
     *                      which records it)
     * @param embeddingSize its embedding size (null likewise)
     */
    public record Settings(String checkpoint, String model, Integer embeddingSize, String dataset, String dataRoot,
                           List<String> roles, String output, boolean overwrite, int batchSize) {
        public Settings {
            if (batchSize <= 0) {
                throw new UsageException("--batch-size must be positive, got " + batchSize);
            }
            if (embeddingSize != null && embeddingSize <= 0) {
                throw new UsageException("--embedding-size must be positive, got " + embeddingSize);
            }
            EmbeddingFormat.ofOutput(output);
        }
    }

    private EmbedJob() {
    }

    public static int run(Settings s) throws IOException {
        boolean ownSession = SparkSession.getActiveSession().isEmpty() && SparkSession.getDefaultSession().isEmpty();
        SparkSession spark = SparkSessions.getOrCreate("proxyanchor embed");
        try {
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            Configuration hadoop = jsc.hadoopConfiguration();
            Checkpoint checkpoint = read(s, hadoop);
            DatasetListing listing = list(s, hadoop);
            List<Role> roles = roles(s.roles(), listing);
            EmbeddingFormat format = EmbeddingFormat.ofOutput(s.output());
            requireFormatKeepsRoles(format, roles, s.output());
            format.requireWritable(hadoop, s.output(), s.overwrite());
            String model = checkpoint.state().recipe().model();
            DatasetBatchDecoder decoder = new DatasetBatchDecoder(hadoop, Backbones.create(model).inputSpec());

            JavaRDD<EmbeddingRecord> all = null;
            LongAccumulator embedded = jsc.sc().longAccumulator("images embedded");
            long nextId = 0;
            for (Role role : roles) {
                List<Sample> samples = listing.samples(role);
                List<DistributedEmbedder.Item> items = new ArrayList<>(samples.size());
                Map<Long, String> paths = new HashMap<>();
                for (Sample sample : samples) {
                    items.add(new DistributedEmbedder.Item(nextId, sample.uri(), sample.label()));
                    paths.put(nextId, sample.uri());
                    nextId++;
                }
                String key = role.key();
                JavaRDD<EmbeddingRecord> rows = DistributedEmbedder.embed(jsc, checkpoint.graph(), items, decoder,
                                s.batchSize(), Math.max(1, 2 * jsc.defaultParallelism()))
                        .map(e -> {
                            embedded.add(1);
                            return new EmbeddingRecord(e.id(), null, e.label(), key, e.vector());
                        });
                JavaRDD<EmbeddingRecord> withPaths = attachPaths(jsc, rows, paths);
                all = all == null ? withPaths : all.union(withPaths);
                log.info("{}: {} images of role {}", listing.dataset(), samples.size(), key);
            }
            Recipe recipe = checkpoint.state().recipe();
            EmbeddingMetadata metadata = EmbeddingMetadata.of(model, recipe.embeddingSize(), checkpointUri(s, hadoop),
                    recipe.l2Norm());
            try (JobProgress progress = JobProgress.ofAccumulator(jsc.sc(), "embed", "images", nextId, embedded)) {
                // Decoding errors (a corrupt image) come back from the tasks as one message, before anything is
                // written.
                JavaRDD<EmbeddingRecord> kept = TaskErrors.computeOnce(all, "embeddings of " + s.dataset());
                EmbeddingFiles.write(spark, kept, metadata, s.output(), s.overwrite());
            }
            log.info("wrote {} embeddings ({}) to {}", nextId, model, s.output());
            return 0;
        } finally {
            if (ownSession) {
                spark.stop();
            }
        }
    }

    private static void requireFormatKeepsRoles(EmbeddingFormat format, List<Role> roles, String output) {
        if (format.keepsRoles() || roles.size() < 2) {
            return;
        }
        String names = roles.stream().map(Role::key).collect(java.util.stream.Collectors.joining(" and "));
        throw new UsageException("--output " + output + " would hold " + names + " rows, which a " + format.extension()
                + " matrix cannot tell apart: embed each role to its own file (--role " + roles.get(0).key()
                + " --output <name>" + format.extension() + ", and so on; then evaluate --embeddings <query file> "
                + "--gallery <gallery file>), or write " + EmbeddingFormat.extensions().stream()
                .filter(e -> !e.equals(format.extension())).collect(java.util.stream.Collectors.joining(" or "))
                + ", which keep the role column");
    }

    private static JavaRDD<EmbeddingRecord> attachPaths(JavaSparkContext jsc, JavaRDD<EmbeddingRecord> rows,
                                                        Map<Long, String> paths) {
        var broadcast = jsc.broadcast(paths);
        return rows.map(r -> new EmbeddingRecord(r.id(), broadcast.value().get(r.id()), r.label(), r.role(),
                r.embedding()));
    }

    /** The checkpoint {@link #read} reads: the official file, or the checkpoint directory. */
    private static String checkpointUri(Settings s, Configuration hadoop) throws IOException {
        if (CheckpointArgument.isFile(s.checkpoint(), hadoop)) {
            Path file = new Path(s.checkpoint());
            return file.getFileSystem(hadoop).makeQualified(file).toString();
        }
        RunDirectory run = RunDirectory.at(s.checkpoint(), hadoop);
        return run.hasCheckpoint(RunDirectory.BEST) ? new Path(run.root(), RunDirectory.BEST).toString()
                : run.root().toString();
    }

    /**
     * A run directory (its best/ checkpoint), a checkpoint directory, or an official PyTorch checkpoint file with
     * the --model and --embedding-size it was trained with.
     */
    static Checkpoint read(Settings s, Configuration hadoop) throws IOException {
        if (!CheckpointArgument.isFile(s.checkpoint(), hadoop)) {
            if (s.model() != null || s.embeddingSize() != null) {
                throw new UsageException("--model and --embedding-size are for an official PyTorch checkpoint"
                        + " file; " + s.checkpoint() + " is a directory, whose checkpoint records both: drop them");
            }
            return CheckpointArgument.read(s.checkpoint(), hadoop).checkpoint();
        }
        if (s.model() == null || s.embeddingSize() == null) {
            throw new UsageException("--checkpoint " + s.checkpoint() + " is a file, read as a checkpoint of the"
                    + " official PyTorch code, which records neither its backbone nor its embedding size: give"
                    + " --model and --embedding-size as it was trained with (e.g. --model bn_inception"
                    + " --embedding-size 512)");
        }
        Checkpoint checkpoint = CheckpointArgument.readOfficial(s.checkpoint(), hadoop, s.model(), s.embeddingSize());
        log.info("official checkpoint {}: --model {} --embedding-size {}", s.checkpoint(), s.model(),
                s.embeddingSize());
        return checkpoint;
    }

    private static DatasetListing list(Settings s, Configuration hadoop) {
        DatasetReader reader = Datasets.reader(s.dataset());
        String root = s.dataRoot() != null ? s.dataRoot() : reader.defaultRoot();
        if (root == null) {
            throw new UsageException("--data-root is required for --dataset " + s.dataset());
        }
        boolean seen = s.roles() != null && s.roles().stream().anyMatch(r -> r.equalsIgnoreCase("eval_seen"));
        try {
            return reader.list(root, DatasetOptions.defaults().withEvalSeen(seen), hadoop);
        } catch (DatasetException e) {
            throw new UserInputException(e.getMessage(), e);
        }
    }

    private static List<Role> roles(List<String> asked, DatasetListing listing) {
        if (asked == null || asked.isEmpty()) {
            return listing.evalMode() == EvalMode.QUERY_GALLERY ? List.of(Role.QUERY, Role.GALLERY) : List.of(Role.EVAL);
        }
        List<Role> roles = new ArrayList<>();
        for (String name : asked) {
            Role role;
            try {
                role = Role.valueOf(name.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new UsageException("unknown --role '" + name + "'; expected train, eval, eval_seen, query "
                        + "or gallery");
            }
            if (listing.samples(role).isEmpty()) {
                throw new UserInputException("dataset " + listing.dataset() + " has no " + role.key()
                        + " images; its roles are " + listing.roles());
            }
            roles.add(role);
        }
        return roles;
    }
}
