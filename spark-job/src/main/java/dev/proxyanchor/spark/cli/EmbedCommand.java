package dev.proxyanchor.spark.cli;

import dev.proxyanchor.spark.embed.EmbedJob;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code embed}: a checkpoint and a dataset in, a file of embeddings out. */
@Command(name = "embed", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Embed a dataset's images with a trained checkpoint (this tool's, or the official PyTorch "
                + "code's) on the executors (evaluation transform) and write them as Parquet, CSV or NumPy .npy: id, "
                + "path, label, role, embedding.",
                "Then: evaluate --embeddings <output> --dataset <dataset>."})
final class EmbedCommand implements Callable<Integer> {

    @Option(names = "--checkpoint", required = true,
            description = "a run directory (its best/ checkpoint is used), a checkpoint directory, or a .pth file the "
                    + "official PyTorch train.py saved (with --model and --embedding-size); any Hadoop URI")
    String checkpoint;

    @Option(names = "--model", description = "backbone of a .pth checkpoint: ${COMPLETION-CANDIDATES}",
            completionCandidates = BackboneNames.class)
    String model;

    @Option(names = "--embedding-size", description = "embedding size of a .pth checkpoint")
    Integer embeddingSize;

    @Option(names = "--dataset", required = true, converter = DatasetName.class,
            completionCandidates = DatasetName.class, description = "${COMPLETION-CANDIDATES}")
    String dataset;

    @Option(names = "--data-root", description = "dataset root, any Hadoop URI (default: the dataset's own, if any)")
    String dataRoot;

    @Option(names = "--role", split = ",",
            description = "roles to embed: train, eval, eval_seen, query, gallery (default: the dataset's "
                    + "evaluation set: eval, or query,gallery)")
    List<String> roles;

    @Option(names = "--output", required = true, completionCandidates = OutputFormats.class,
            description = "output file, any Hadoop URI; its extension picks the format: ${COMPLETION-CANDIDATES} "
                    + "(.npy: a float32 matrix with <name>.labels.npy and <name>.paths.txt beside it)")
    String output;

    @Option(names = "--overwrite", description = "replace an existing output")
    boolean overwrite;

    @Option(names = "--batch-size", defaultValue = "256", description = "images per inference batch, default: ${DEFAULT-VALUE}")
    int batchSize;

    @Override
    public Integer call() throws Exception {
        return EmbedJob.run(new EmbedJob.Settings(checkpoint, model, embeddingSize, dataset, dataRoot, roles, output,
                overwrite, batchSize));
    }
}
