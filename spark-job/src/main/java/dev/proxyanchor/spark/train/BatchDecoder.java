package dev.proxyanchor.spark.train;

import java.io.IOException;
import java.io.Serializable;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Turns image URIs into one NCHW float32 feature batch on an executor: the training transform (seeded random
 * crop and flip per image) or the evaluation transform. Serialised to the executors with the job.
 */
public interface BatchDecoder extends Serializable {

    /**
     * @param seeds one augmentation seed per image (ignored by the evaluation transform)
     * @param train whether to apply the training transform
     * @throws IOException naming the image that could not be read or decoded
     */
    INDArray decode(String[] uris, long[] seeds, boolean train) throws IOException;
}
