package dev.proxyanchor.spark.train;

import dev.proxyanchor.model.checkpoint.Checkpoint;
import dev.proxyanchor.spark.io.EpochRecord;
import dev.proxyanchor.spark.io.RunDirectory;
import java.io.IOException;

/** Appends each epoch's record to the run's {@code metrics.jsonl}. */
final class MetricsFile implements EpochListener {

    private final RunDirectory run;

    MetricsFile(RunDirectory run) {
        this.run = run;
    }

    @Override
    public void epochEnded(EpochRecord record, Checkpoint checkpoint) throws IOException {
        run.appendEpoch(record);
    }
}
