package dev.proxyanchor.spark.cli;

import dev.proxyanchor.model.UsageException;
import dev.proxyanchor.model.UserInputException;
import dev.proxyanchor.spark.io.EmbeddingFiles;
import dev.proxyanchor.spark.io.EmbeddingMetadata;
import dev.proxyanchor.spark.io.EmbeddingRecord;
import dev.proxyanchor.spark.io.RetrievalSets;
import dev.proxyanchor.spark.io.TextFiles;
import dev.proxyanchor.spark.metrics.EvaluationOptions;
import dev.proxyanchor.spark.metrics.EvaluationProtocol;
import dev.proxyanchor.spark.metrics.RetrievalEvaluator;
import dev.proxyanchor.spark.metrics.RetrievalMetrics;
import dev.proxyanchor.spark.runtime.SparkSessions;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code evaluate}: stored embeddings to Recall@K, MAP@R, R-Precision (and NMI), as JSON and a table. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Compute retrieval metrics (exact kNN) of stored embeddings: Parquet from embed, CSV or .npy.")
final class EvaluateCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(EvaluateCommand.class);

    @Option(names = "--embeddings", required = true,
            description = "Embeddings: .parquet (embed's layout), .csv (label,x1,...,xD or with a header, as embed "
                    + "writes it) or .npy.")
    String embeddings;

    @Option(names = "--labels", description = "Integer labels .npy for a .npy --embeddings matrix (default: "
            + "<name>.labels.npy beside it, as embed writes it).")
    String labels;

    @Option(names = "--gallery", description = "A separate gallery file (query-gallery mode); else the role "
            + "column's query/gallery rows, else self retrieval.")
    String gallery;

    @Option(names = "--gallery-labels", description = "Integer labels .npy for a .npy --gallery matrix (default: "
            + "<name>.labels.npy beside it).")
    String galleryLabels;

    @Option(names = "--k", split = ",", description = "Recall@K list, e.g. 1,2,4,8 (default: the dataset's).")
    int[] recallK;

    @Option(names = "--dataset", description = "cub, cars, SOP, Inshop or fmnist: picks the K list and the mode.")
    String dataset;

    @Option(names = "--normalize", negatable = true,
            description = "L2-normalise embeddings first (default: unless embed's Parquet says they already are).")
    Boolean normalize;

    @Option(names = "--nmi", description = "Also compute NMI of a k-means clustering (k = number of classes). "
            + "Costs points x classes x dim per iteration: about a minute for 6,000 x 512 with 1,200 classes on "
            + "2 cores, hours for SOP-sized sets (60,502 points, 11,316 classes) unless the cluster is large.")
    boolean nmi;

    @Option(names = "--output", description = "Write the metrics as one JSON object to this file (any Hadoop URI).")
    String output;

    @Override
    public Integer call() {
        long start = System.nanoTime();
        EvaluationProtocol protocol = dataset == null ? null : EvaluationProtocol.forDataset(dataset);
        int[] k = recallK != null ? recallK : protocol != null ? protocol.recallK() : null;
        if (k == null) {
            throw new UsageException("pass --k (e.g. --k 1,2,4,8) or --dataset to choose the Recall@K list");
        }
        if (gallery == null && galleryLabels != null) {
            throw new UsageException("--gallery-labels needs --gallery");
        }
        // A session that already runs (a test, a notebook) belongs to its creator: leave it running.
        boolean ownSession = SparkSession.getActiveSession().isEmpty() && SparkSession.getDefaultSession().isEmpty();
        SparkSession spark = SparkSessions.getOrCreate("proxyanchor evaluate");
        try {
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            JavaRDD<EmbeddingRecord> rows = EmbeddingFiles.read(spark, embeddings, labels);
            JavaRDD<EmbeddingRecord> galleryRows = gallery == null ? null
                    : EmbeddingFiles.read(spark, gallery, galleryLabels);
            RetrievalSets sets = RetrievalSets.of(rows, galleryRows, embeddings, gallery);
            requireProtocolMode(protocol, sets.galleryOrNull() != null);
            RetrievalMetrics metrics = RetrievalEvaluator.evaluate(jsc, sets.queries(), sets.galleryOrNull(), k,
                    EvaluationOptions.builder().normalize(normalize(spark)).nmi(nmi).build());
            metrics = metrics.withSeconds((System.nanoTime() - start) / 1e9);
            System.out.print(metrics.toTable());
            if (output != null) {
                TextFiles.write(jsc.hadoopConfiguration(), output, metrics.toJson() + "\n");
            }
            return 0;
        } finally {
            if (ownSession) {
                spark.stop();
            }
        }
    }

    /**
     * The flag when given; else whether the file says its vectors are not yet unit length (normalising unit vectors
     * again would only cost a pass); else yes, as the official evaluation does.
     */
    private boolean normalize(SparkSession spark) {
        if (normalize != null) {
            return normalize;
        }
        Optional<EmbeddingMetadata> stored = EmbeddingFiles.metadata(spark, embeddings);
        stored.ifPresent(m -> LOG.info("{} holds {}L2-normalised {}-d embeddings of {} ({}); {}", embeddings,
                m.normalised() ? "" : "not ", m.embeddingSize(), m.model(), m.checkpoint(),
                m.normalised() ? "evaluating them as they are" : "normalising them first"));
        return stored.map(m -> !m.normalised()).orElse(true);
    }

    private static void requireProtocolMode(EvaluationProtocol protocol, boolean queryGallery) {
        if (protocol == null || protocol.queryGallery() == queryGallery) {
            return;
        }
        throw new UserInputException(protocol.queryGallery()
                ? protocol.datasetName() + " is evaluated query against gallery: pass --gallery, or embeddings "
                        + "with a role column holding query and gallery rows"
                : protocol.datasetName() + " is evaluated by self retrieval (every image queries all others), "
                        + "but a gallery was given; drop --gallery (or the query/gallery roles) or --dataset");
    }
}
