package dev.proxyanchor.spark.bench;

import dev.proxyanchor.spark.train.BatchDecoder;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Seeded random images of a fixed shape, so that a benchmark measures training, not decoding. */
final class RandomImages implements BatchDecoder {

    private final long[] imageShape;

    RandomImages(long channels, long height, long width) {
        this.imageShape = new long[] {channels, height, width};
    }

    @Override
    public INDArray decode(String[] uris, long[] seeds, boolean train) {
        int perImage = (int) (imageShape[0] * imageShape[1] * imageShape[2]);
        float[] pixels = new float[uris.length * perImage];
        SplittableRandom random = new SplittableRandom(seeds.length == 0 ? 0 : seeds[0]);
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) random.nextDouble();
        }
        return Nd4j.create(pixels, new long[] {uris.length, imageShape[0], imageShape[1], imageShape[2]}, 'c');
    }
}
