package dev.proxyanchor.spark.train;

import dev.proxyanchor.model.checkpoint.Checkpoint;
import dev.proxyanchor.spark.io.EpochRecord;
import dev.proxyanchor.spark.io.RunDirectory;
import java.io.IOException;

/** Writes {@code last/} after every epoch, and {@code best/} when the epoch is the best so far. */
final class CheckpointWriter implements EpochListener {

    private final RunDirectory run;

    CheckpointWriter(RunDirectory run) {
        this.run = run;
    }

    @Override
    public void epochEnded(EpochRecord record, Checkpoint checkpoint) throws IOException {
        run.writeCheckpoint(RunDirectory.LAST, checkpoint);
        if (checkpoint.state().bestEpoch() == record.epoch()) {
            run.writeCheckpoint(RunDirectory.BEST, checkpoint);
        }
    }
}
