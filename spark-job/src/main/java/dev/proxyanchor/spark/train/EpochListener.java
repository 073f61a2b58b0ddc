package dev.proxyanchor.spark.train;

import dev.proxyanchor.model.checkpoint.Checkpoint;
import dev.proxyanchor.spark.io.EpochRecord;
import java.io.IOException;

/**
 * What the epoch loop tells the rest of a run: an epoch starts, its training part ends, the whole epoch ends with its
 * record and the checkpoint that continues from it. The run directory's files, the console and anything else that
 * follows the epochs are listeners; the loop itself only trains and evaluates.
 */
public interface EpochListener {

    default void epochStarted(EpochStart start) {
    }

    /** The epoch's steps are done; its evaluation (if any) comes next. */
    default void trainingEnded(int epoch) {
    }

    /** Called in the order the listeners were given; a failure stops the run. */
    default void epochEnded(EpochRecord record, Checkpoint checkpoint) throws IOException {
    }
}
