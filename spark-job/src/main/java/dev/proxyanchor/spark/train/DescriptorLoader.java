package dev.proxyanchor.spark.train;

import dev.proxyanchor.datasets.DatasetException;
import dev.proxyanchor.spark.data.DecodeAhead;
import dev.proxyanchor.spark.data.DecodedBatch;
import dev.proxyanchor.spark.data.PendingBatch;
import dev.proxyanchor.spark.data.TaskLookahead;
import dev.proxyanchor.spark.runtime.GpuBinding;
import java.io.IOException;
import java.util.function.Supplier;
import org.deeplearning4j.core.loader.DataSetLoader;
import org.nd4j.common.loader.Source;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Builds a worker's minibatch from its {@link BatchDescriptor}: decoded, augmented images and one-hot labels. The
 * minibatches the descriptor names as next are queued on the executor's decode pool first, so they decode while this
 * one trains; a decoding failure surfaces here, on the task's own thread, when its batch is taken.
 */
public final class DescriptorLoader implements DataSetLoader {

    private final BatchDecoder decoder;
    private final int numClasses;
    private final InputOptions options;
    private final InputCounters counters;

    /**
     * @param counters where the executors report what they decoded, or null not to count
     */
    public DescriptorLoader(BatchDecoder decoder, int numClasses, InputOptions options, InputCounters counters) {
        this.decoder = decoder;
        this.numClasses = numClasses;
        this.options = options;
        this.counters = counters;
    }

    @Override
    public DataSet load(Source source) throws IOException {
        GpuBinding.bindCurrentThread();
        BatchDescriptor batch = BatchDescriptor.decode(source.getPath());
        DecodeAhead pool = DecodeAhead.shared(options.decodeThreads());
        TaskLookahead lookahead = TaskLookahead.current();
        for (BatchDescriptor next : batch.ahead()) {
            lookahead.ahead(next.key(), submit(pool, next));
        }
        PendingBatch pending = lookahead.take(batch.key(), submit(pool, batch));
        DecodedBatch decoded = pending.await();
        if (counters != null) {
            counters.record(pending.size(), pending.decodeNanos(), pool.threads(), decoded);
        }
        int kept = decoded.kept().length;
        if (kept == 0) {
            throw new DatasetException("every image of a minibatch is unreadable, " + batch.uris().length
                    + " of them, the first " + decoded.bad().get(0).reason());
        }
        long[] shape = decoder.imageShape(true);
        INDArray features = Nd4j.create(decoded.features(), new long[] {kept, shape[0], shape[1], shape[2]}, 'c');
        INDArray labels = Nd4j.zeros(DataType.FLOAT, kept, numClasses);
        for (int k = 0; k < kept; k++) {
            int i = decoded.kept()[k];
            int label = batch.labels()[i];
            if (label < 0 || label >= numClasses) {
                throw new IOException("training label " + label + " of " + batch.uris()[i] + " is outside [0, "
                        + numClasses + "), the number of training classes");
            }
            labels.putScalar(k, label, 1.0f);
        }
        return new DataSet(features, labels);
    }

    private Supplier<PendingBatch> submit(DecodeAhead pool, BatchDescriptor batch) {
        return () -> pool.submit(decoder, batch.uris(), batch.seeds(), true, options.skipBadImages());
    }
}
