package dev.proxyanchor.spark.train;

import java.io.Serializable;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Turns image URIs into network input on an executor: the training transform (seeded random crop and flip per
 * image) or the evaluation transform. One image at a time, so that an executor's decode pool can share a batch out;
 * serialised to the executors with the job.
 */
public interface BatchDecoder extends Serializable {

    /** Channels, height and width of one transformed image. */
    long[] imageShape(boolean train);

    /** The floats one transformed image takes. */
    default int imageSize(boolean train) {
        long[] shape = imageShape(train);
        return Math.toIntExact(shape[0] * shape[1] * shape[2]);
    }

    /**
     * Writes image {@code uri}, transformed, into {@code out} from {@code at} (CHW).
     *
     * @param seed the augmentation seed (ignored by the evaluation transform)
     * @throws dev.proxyanchor.datasets.DatasetException naming the image when it cannot be read or decoded
     */
    void decodeInto(String uri, long seed, boolean train, float[] out, int at);

    /** A whole NCHW batch on the calling thread. */
    default INDArray decode(String[] uris, long[] seeds, boolean train) {
        int size = imageSize(train);
        float[] pixels = new float[uris.length * size];
        for (int i = 0; i < uris.length; i++) {
            decodeInto(uris[i], seeds[i], train, pixels, i * size);
        }
        long[] shape = imageShape(train);
        return Nd4j.create(pixels, new long[] {uris.length, shape[0], shape[1], shape[2]}, 'c');
    }
}
