package dev.proxyanchor.spark.data;

import dev.proxyanchor.datasets.Role;
import dev.proxyanchor.datasets.Sample;
import dev.proxyanchor.datasets.SampleLoader;
import dev.proxyanchor.datasets.image.ImageTransform;
import dev.proxyanchor.model.backbones.InputSpec;
import dev.proxyanchor.spark.train.BatchDecoder;
import java.util.SplittableRandom;
import org.apache.hadoop.conf.Configuration;

/**
 * Decodes the datasets module's samples on an executor with the transforms the backbone's {@link InputSpec}
 * describes: the training transform (random resized crop and flip, seeded per image by the batch plan) or the
 * evaluation one, and the backbone's normalisation. Reads through the driver's Hadoop configuration, which the loader
 * carries.
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
    public long[] imageShape(boolean training) {
        ImageTransform transform = training ? train : eval;
        return new long[] {transform.channels(), transform.height(), transform.width()};
    }

    @Override
    public void decodeInto(String uri, long seed, boolean training, float[] out, int at) {
        Sample sample = new Sample(uri, 0, training ? Role.TRAIN : Role.EVAL);
        (training ? train : eval).apply(loader.load(sample), new SplittableRandom(seed), out, at);
    }
}
