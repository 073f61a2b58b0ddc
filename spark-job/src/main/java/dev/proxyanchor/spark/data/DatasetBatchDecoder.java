package dev.proxyanchor.spark.data;

import dev.proxyanchor.datasets.Role;
import dev.proxyanchor.datasets.Sample;
import dev.proxyanchor.datasets.SampleLoader;
import dev.proxyanchor.datasets.image.ImageTransform;
import dev.proxyanchor.model.backbones.InputSpec;
import dev.proxyanchor.spark.train.BatchDecoder;
import java.util.SplittableRandom;
import org.apache.hadoop.conf.Configuration;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Decodes the datasets module's samples on an executor with the transforms the backbone's {@link InputSpec}
 * describes: the training transform (random resized crop and flip, seeded per image by the batch plan) or the
 * evaluation one, and the backbone's normalisation. Reads through the driver's Hadoop configuration, which the loader carries.
 */
public final class DatasetBatchDecoder implements BatchDecoder {

    private final SampleLoader loader;
    private final ImageTransform train;
    private final ImageTransform eval;

    public DatasetBatchDecoder(Configuration conf, InputSpec input) {
        this.loader = new SampleLoader(conf);
        this.train = InputTransforms.training(input);
        this.eval = InputTransforms.evaluation(input);
    }

    @Override
    public INDArray decode(String[] uris, long[] seeds, boolean training) {
        ImageTransform transform = training ? train : eval;
        int size = transform.size();
        float[] pixels = new float[uris.length * size];
        for (int i = 0; i < uris.length; i++) {
            Sample sample = new Sample(uris[i], 0, training ? Role.TRAIN : Role.EVAL);
            transform.apply(loader.load(sample), new SplittableRandom(seeds[i]), pixels, i * size);
        }
        return Nd4j.create(pixels, new long[] {uris.length, transform.channels(), transform.height(),
                transform.width()}, 'c');
    }
}
