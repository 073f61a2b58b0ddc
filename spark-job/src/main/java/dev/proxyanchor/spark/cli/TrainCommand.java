package dev.proxyanchor.spark.cli;

import dev.proxyanchor.model.loss.Losses;
import dev.proxyanchor.model.recipe.Optimizer;
import dev.proxyanchor.spark.train.InputOptions;
import dev.proxyanchor.spark.train.TrainSettings;
import dev.proxyanchor.spark.train.TrainingJob;
import dev.proxyanchor.spark.train.ValidationClasses;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code train}: the official {@code train.py} flags, names and defaults, plus where the data and the run live and
 * how Spark shares the work.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train an embedding network with the Proxy-Anchor loss (or an official baseline, --loss) by "
                + "Spark parameter averaging, "
                + "evaluating Recall@K after every epoch.",
                "Each step the --workers workers together train on one official batch of --batch-size images "
                + "(--batch-size / --workers each); parameters and optimizer state are averaged every "
                + "--averaging-frequency steps."})
final class TrainCommand implements Callable<Integer> {

    @Option(names = "--dataset", defaultValue = "cub", converter = DatasetName.class,
            completionCandidates = DatasetName.class,
            description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
    String dataset;

    @Option(names = "--data-root", description = "dataset root, any Hadoop URI (default: the dataset's own, if any)")
    String dataRoot;

    @Option(names = "--eval-seen", description = "fmnist: also evaluate on the test images of the training classes")
    boolean evalSeen;

    @Option(names = "--model", defaultValue = "bn_inception", description = "backbone (default: ${DEFAULT-VALUE})")
    String model;

    @Option(names = "--pretrained", defaultValue = "auto",
            description = "ImageNet weights of the backbone: none, auto (the cache folders, see README), a .pth file "
                    + "or a folder holding it (default: ${DEFAULT-VALUE})")
    String pretrained;

    @Option(names = "--init-from",
            description = "fine-tune: start backbone and embedding from a .pth checkpoint the official PyTorch "
                    + "train.py saved for this --model and --embedding-size (any Hadoop URI), instead of --pretrained")
    String initFrom;

    @Option(names = "--loss", defaultValue = Losses.PROXY_ANCHOR, completionCandidates = Losses.Names.class,
            description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
    String loss;

    @Option(names = "--embedding-size", defaultValue = "512", description = "default: ${DEFAULT-VALUE}")
    int embeddingSize;

    @Option(names = "--batch-size", defaultValue = "150", description = "official (global) batch, default: ${DEFAULT-VALUE}")
    int batchSize;

    @Option(names = "--epochs", defaultValue = "60", description = "default: ${DEFAULT-VALUE}")
    int epochs;

    @Option(names = "--lr", defaultValue = "1e-4", description = "default: ${DEFAULT-VALUE}")
    double lr;

    @Option(names = "--weight-decay", defaultValue = "1e-4", description = "default: ${DEFAULT-VALUE}")
    double weightDecay;

    @Option(names = "--lr-decay-step", defaultValue = "10", description = "epochs, default: ${DEFAULT-VALUE}")
    int lrDecayStep;

    @Option(names = "--lr-decay-gamma", defaultValue = "0.5", description = "default: ${DEFAULT-VALUE}")
    double lrDecayGamma;

    @Option(names = "--optimizer", defaultValue = "adamw", description = "adamw, adam, sgd, rmsprop (default: ${DEFAULT-VALUE})")
    String optimizer;

    @Option(names = "--alpha", defaultValue = "32", description = "default: ${DEFAULT-VALUE}")
    double alpha;

    @Option(names = "--mrg", defaultValue = "0.1", description = "margin, default: ${DEFAULT-VALUE}")
    double mrg;

    @Option(names = "--warm", defaultValue = "1", description = "warm-up epochs training only embedding and proxies, default: ${DEFAULT-VALUE}")
    int warm;

    @Option(names = "--bn-freeze", defaultValue = "1", description = "1: BatchNorm keeps its running statistics, default: ${DEFAULT-VALUE}")
    int bnFreeze;

    @Option(names = "--l2-norm", defaultValue = "1", description = "1: L2-normalise embeddings, default: ${DEFAULT-VALUE}")
    int l2Norm;

    @Option(names = "--IPC", defaultValue = "0", description = "images per class in a batch (class-balanced sampler); 0: plain shuffle")
    int imagesPerClass;

    @Option(names = "--proxy-lr-scale", defaultValue = "100", description = "proxies' lr = this x --lr, default: ${DEFAULT-VALUE}")
    double proxyLrScale;

    @Option(names = "--remark", defaultValue = "", description = "free text recorded in config.json")
    String remark;

    @Option(names = "--output", required = true, description = "run directory, any Hadoop URI")
    String output;

    @Option(names = "--resume", description = "continue the run in --output from its last/ checkpoint")
    boolean resume;

    @Option(names = "--overwrite", description = "replace a run already in --output")
    boolean overwrite;

    @Option(names = "--workers", defaultValue = "0", description = "parameter-averaging workers (default: Spark's default parallelism)")
    int workers;

    @Option(names = "--averaging-frequency", defaultValue = "5", description = "steps between parameter averages, default: ${DEFAULT-VALUE}")
    int averagingFrequency;

    @Option(names = "--prefetch", defaultValue = "2", description = "minibatches decoded ahead per worker, default: ${DEFAULT-VALUE}")
    int prefetch;

    @Option(names = "--decode-threads", defaultValue = "0",
            description = "threads of each executor's decode pool (default: the cores the training step leaves idle, at least 1)")
    int decodeThreads;

    @Option(names = "--skip-bad-images",
            description = "skip unreadable training images, count them (bad_images in metrics.jsonl, their paths in bad_images.txt) and go on, instead of stopping")
    boolean skipBadImages;

    @Option(names = "--seed", defaultValue = "1", description = "default: ${DEFAULT-VALUE}")
    long seed;

    @Option(names = "--eval-every", defaultValue = "1", description = "epochs between evaluations, default: ${DEFAULT-VALUE}")
    int evalEvery;

    @Option(names = "--train-limit", defaultValue = "0", description = "train on a seeded random subset of this many images (0: all)")
    int trainLimit;

    @Option(names = "--eval-limit", defaultValue = "0", description = "evaluate on a seeded random subset of this many images per role (0: all)")
    int evalLimit;

    @Option(names = "--val-classes", paramLabel = "N|FRACTION",
            description = "hold out N training classes (or this fraction of them, e.g. 0.2; seeded by --seed) as a "
                    + "class-disjoint validation set, evaluated as 'val' after each evaluated epoch; best/ is then "
                    + "chosen by val R@1 instead of test R@1 (default: train on every class)")
    String valClasses;

    @Override
    public Integer call() throws Exception {
        return TrainingJob.run(this::settings);
    }

    TrainSettings settings(int defaultWorkers) {
        return new TrainSettings(dataset, dataRoot, evalSeen, model, pretrained, initFrom, loss, embeddingSize,
                batchSize, epochs, lr, weightDecay, lrDecayStep, lrDecayGamma, Optimizer.parse(optimizer), alpha, mrg,
                warm, flag("--bn-freeze", bnFreeze), flag("--l2-norm", l2Norm), imagesPerClass, proxyLrScale,
                remark, output, resume, overwrite, workers > 0 ? workers : defaultWorkers, averagingFrequency,
                new InputOptions(prefetch, decodeThreads, skipBadImages),
                seed, evalEvery, trainLimit, evalLimit,
                valClasses == null ? null : ValidationClasses.parse(valClasses));
    }

    private static boolean flag(String name, int value) {
        if (value != 0 && value != 1) {
            throw new dev.proxyanchor.model.UsageException(name + " takes 0 or 1, got " + value);
        }
        return value == 1;
    }
}
