package dev.proxyanchor.spark.train;

import dev.proxyanchor.spark.runtime.GpuBinding;
import java.io.IOException;
import org.deeplearning4j.core.loader.DataSetLoader;
import org.nd4j.common.loader.Source;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/** Builds a worker's minibatch from its {@link BatchDescriptor}: decoded, augmented images and one-hot labels. */
public final class DescriptorLoader implements DataSetLoader {

    private final BatchDecoder decoder;
    private final int numClasses;

    public DescriptorLoader(BatchDecoder decoder, int numClasses) {
        this.decoder = decoder;
        this.numClasses = numClasses;
    }

    @Override
    public DataSet load(Source source) throws IOException {
        GpuBinding.bindCurrentThread();
        BatchDescriptor batch = BatchDescriptor.decode(source.getPath());
        INDArray features = decoder.decode(batch.uris(), batch.seeds(), true);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, batch.labels().length, numClasses);
        for (int i = 0; i < batch.labels().length; i++) {
            int label = batch.labels()[i];
            if (label < 0 || label >= numClasses) {
                throw new IOException("training label " + label + " of " + batch.uris()[i] + " is outside [0, "
                        + numClasses + "), the number of training classes");
            }
            labels.putScalar(i, label, 1.0f);
        }
        return new DataSet(features, labels);
    }
}
