package dev.proxyanchor.spark.bench;

import dev.proxyanchor.spark.train.BatchDecoder;
import java.util.SplittableRandom;

/** Seeded random images of a fixed shape, so that a benchmark measures training, not decoding. */
final class RandomImages implements BatchDecoder {

    private final long[] imageShape;

    RandomImages(long channels, long height, long width) {
        this.imageShape = new long[] {channels, height, width};
    }

    @Override
    public long[] imageShape(boolean train) {
        return imageShape.clone();
    }

    @Override
    public void decodeInto(String uri, long seed, boolean train, float[] out, int at) {
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = at; i < at + imageSize(train); i++) {
            out[i] = (float) random.nextDouble();
        }
    }
}
