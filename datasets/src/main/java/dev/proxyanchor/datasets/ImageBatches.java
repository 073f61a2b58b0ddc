package dev.proxyanchor.datasets;

import dev.proxyanchor.datasets.image.ImageTransform;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Turns a stream of samples (one Spark partition's) into minibatches, decoding and transforming each image only when
 * its batch is asked for, so memory holds one batch and never an epoch. Features are float32 NCHW
 * {@code [B, C, H, W]}; labels are one-hot {@code [B, classes]} for training, or the label itself {@code [B, 1]}
 * for evaluation. Immutable and serializable, so a Spark closure can carry it.
 */
public final class ImageBatches implements Serializable {

    private final SampleLoader loader;
    private final ImageTransform transform;
    private final int batchSize;
    private final int oneHotClasses;
    private final long seed;
    private final int epoch;
    private final boolean dropLast;

    private ImageBatches(Builder b) {
        this.loader = b.loader;
        this.transform = b.transform;
        this.batchSize = b.batchSize;
        this.oneHotClasses = b.oneHotClasses;
        this.seed = b.seed;
        this.epoch = b.epoch;
        this.dropLast = b.dropLast;
    }

    /**
     * @param loader reads each sample's image
     * @param transform the training or evaluation preprocessing
     * @param batchSize images per batch; the last batch is smaller unless {@link Builder#dropLast()}
     */
    public static Builder builder(SampleLoader loader, ImageTransform transform, int batchSize) {
        return new Builder(loader, transform, batchSize);
    }

    /** The batches of {@code samples}, in order, made lazily as the iterator advances. */
    public Iterator<DataSet> over(Iterator<Sample> samples) {
        return new Iterator<>() {
            private DataSet next;

            @Override
            public boolean hasNext() {
                if (next == null) {
                    next = nextBatch(samples);
                }
                return next != null;
            }

            @Override
            public DataSet next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                DataSet batch = next;
                next = null;
                return batch;
            }
        };
    }

    private DataSet nextBatch(Iterator<Sample> samples) {
        List<Sample> batch = new ArrayList<>(batchSize);
        while (batch.size() < batchSize && samples.hasNext()) {
            batch.add(samples.next());
        }
        if (batch.isEmpty() || (dropLast && batch.size() < batchSize)) {
            return null;
        }
        int imageSize = transform.size();
        float[] features = new float[batch.size() * imageSize];
        int labelWidth = oneHotClasses > 0 ? oneHotClasses : 1;
        float[] labels = new float[batch.size() * labelWidth];
        for (int i = 0; i < batch.size(); i++) {
            Sample sample = batch.get(i);
            transform.apply(loader.load(sample), SampleRandom.of(seed, epoch, sample), features, i * imageSize);
            if (oneHotClasses > 0) {
                labels[i * labelWidth + oneHotIndex(sample)] = 1f;
            } else {
                labels[i] = sample.label();
            }
        }
        INDArray x = Nd4j.create(features,
                new long[] {batch.size(), transform.channels(), transform.height(), transform.width()}, DataType.FLOAT);
        INDArray y = Nd4j.create(labels, new long[] {batch.size(), labelWidth}, DataType.FLOAT);
        return new DataSet(x, y);
    }

    private int oneHotIndex(Sample sample) {
        if (sample.label() < 0 || sample.label() >= oneHotClasses) {
            throw new DatasetException("label " + sample.label() + " of " + sample.uri() + " (" + sample.role().key()
                    + ") is outside 0.." + (oneHotClasses - 1) + ", the " + oneHotClasses + " classes being trained; "
                    + "only training samples take one-hot labels.");
        }
        return sample.label();
    }

    /** The required parts are the builder's arguments; the rest have defaults. */
    public static final class Builder {
        private final SampleLoader loader;
        private final ImageTransform transform;
        private final int batchSize;
        private int oneHotClasses;
        private long seed;
        private int epoch;
        private boolean dropLast;

        private Builder(SampleLoader loader, ImageTransform transform, int batchSize) {
            if (batchSize <= 0) {
                throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
            }
            this.loader = loader;
            this.transform = transform;
            this.batchSize = batchSize;
        }

        /** One-hot labels over {@code classes} (the number of training classes); by default labels are one column. */
        public Builder oneHot(int classes) {
            if (classes <= 0) {
                throw new IllegalArgumentException("one-hot width must be positive, got " + classes);
            }
            this.oneHotClasses = classes;
            return this;
        }

        /** The seed and epoch the augmentation draws derive from (default 0, 0). */
        public Builder seed(long seed, int epoch) {
            this.seed = seed;
            this.epoch = epoch;
            return this;
        }

        /** Leaves out a last batch smaller than the batch size, as the official training loader does. */
        public Builder dropLast() {
            this.dropLast = true;
            return this;
        }

        public ImageBatches build() {
            return new ImageBatches(this);
        }
    }
}
