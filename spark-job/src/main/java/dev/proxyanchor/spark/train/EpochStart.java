package dev.proxyanchor.spark.train;

/**
 * An epoch about to train.
 *
 * @param epoch         0-based
 * @param epochs        the run's number of epochs
 * @param steps         official steps (batches) in the epoch
 * @param imagesPerStep images per official step, over all workers
 * @param evaluates     whether this epoch ends with an evaluation
 * @param laterEvaluations evaluations in the epochs after this one
 * @param counters      the epoch's live step and loss counts across the cluster
 */
public record EpochStart(int epoch, int epochs, long steps, long imagesPerStep, boolean evaluates,
                         int laterEvaluations, StepCounters counters) {

    /** What the workers have done so far in the epoch, summed over the cluster, running tasks included. */
    public interface StepCounters {
        /** Official steps done: worker steps over the number of workers. */
        double steps();

        /** Mean loss of the worker steps done so far, NaN before the first. */
        double meanLoss();
    }
}
