package dev.proxyanchor.spark.train;

import dev.proxyanchor.model.UsageException;
import dev.proxyanchor.model.loss.Losses;
import dev.proxyanchor.model.recipe.Optimizer;

/**
 * Every resolved flag of {@code train}: the official {@code train.py} flags with their defaults, plus the data,
 * output and Spark ones. Validated on construction, before any Spark job runs.
 *
 * @param pretrained         none, auto, or a .pth file / folder with the backbone's ImageNet weights
 * @param initFrom           an official PyTorch checkpoint (any Hadoop URI) to start from instead (fine-tuning), or
 *                           null
 * @param loss               an official {@code --loss} name (normalised to its official spelling)
 * @param imagesPerClass     {@code --IPC}: images per class in a batch; 0 (unset) for random batches, as the
 *                           official code without the flag; a pair-based loss refuses 1
 * @param workers            parameter-averaging workers; each trains on {@code batchSize / workers} images per step
 * @param averagingFrequency steps each worker takes between two parameter averages
 * @param input              prefetch depth, decode threads and what an unreadable training image does
 * @param evalEvery          evaluate after every this many epochs (and after the last)
 * @param trainLimit         use a seeded random subset of this many training images (0 = all)
 * @param evalLimit          use a seeded random subset of this many images per evaluation role (0 = all)
 * @param valClasses         training classes held out as a validation set that chooses {@code best/}, or null to
 *                           train on every class and choose {@code best/} by the test set, as the official code
 */
public record TrainSettings(
        String dataset,
        String dataRoot,
        boolean evalSeen,
        String model,
        String pretrained,
        String initFrom,
        String loss,
        int embeddingSize,
        int batchSize,
        int epochs,
        double lr,
        double weightDecay,
        int lrDecayStep,
        double lrDecayGamma,
        Optimizer optimizer,
        double alpha,
        double mrg,
        int warm,
        boolean bnFreeze,
        boolean l2Norm,
        int imagesPerClass,
        double proxyLrScale,
        String remark,
        String output,
        boolean resume,
        boolean overwrite,
        int workers,
        int averagingFrequency,
        InputOptions input,
        long seed,
        int evalEvery,
        int trainLimit,
        int evalLimit,
        ValidationClasses valClasses) {

    public TrainSettings {
        loss = Losses.get(loss).name();
        positive("--batch-size", batchSize);
        positive("--epochs", epochs);
        positive("--workers", workers);
        positive("--averaging-frequency", averagingFrequency);
        positive("--eval-every", evalEvery);
        if (trainLimit < 0 || evalLimit < 0 || imagesPerClass < 0) {
            throw new UsageException("--train-limit, --eval-limit and --IPC must be >= 0");
        }
        if (batchSize % workers != 0) {
            throw new UsageException("--batch-size " + batchSize + " must be a multiple of --workers " + workers
                    + ": each step the workers together train on one official batch, " + (batchSize / workers)
                    + "-" + (batchSize / workers + 1) + " images each is not possible; try --batch-size "
                    + (batchSize / workers) * workers);
        }
        if (imagesPerClass > 0 && (batchSize / workers) % imagesPerClass != 0) {
            throw new UsageException("--IPC " + imagesPerClass + " must divide the per-worker batch "
                    + batchSize / workers + " (--batch-size / --workers), so that no class is cut between workers");
        }
        if (initFrom != null && resume) {
            throw new UsageException("--init-from starts a new run from an official checkpoint; --resume continues"
                    + " the run in --output from its own last/ checkpoint: give one of them");
        }
        if (output == null || output.isBlank()) {
            throw new UsageException("--output is required: the run directory (any Hadoop URI) for metrics and "
                    + "checkpoints");
        }
        if (resume && overwrite) {
            throw new UsageException("--resume and --overwrite contradict each other: pick one");
        }
        if (imagesPerClass == 1 && Losses.get(loss).pairBased()) {
            throw new UsageException("--IPC 1 gives every batch one image per class, so --loss " + loss
                    + " would find no positive pair: use --IPC 2 or more, or leave --IPC unset for random batches"
                    + " as the official code");
        }
    }

    private static void positive(String flag, int value) {
        if (value <= 0) {
            throw new UsageException(flag + " must be a positive integer, got " + value);
        }
    }

    public int batchSizePerWorker() {
        return batchSize / workers;
    }
}
