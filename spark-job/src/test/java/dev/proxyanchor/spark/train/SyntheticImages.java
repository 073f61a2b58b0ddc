package dev.proxyanchor.spark.train;

import java.util.SplittableRandom;

/**
 * 1 x 28 x 28 images made up from their URI ({@code synthetic:/<class>/<index>}): a class-specific bright square
 * over seeded noise, so that the training loop can be tested without image files.
 */
final class SyntheticImages implements BatchDecoder {

    static SparkTrainer.TrainImages trainImages(int classes, int perClass) {
        String[] uris = new String[classes * perClass];
        int[] labels = new int[uris.length];
        for (int c = 0; c < classes; c++) {
            for (int i = 0; i < perClass; i++) {
                uris[c * perClass + i] = "synthetic:/" + c + "/" + i;
                labels[c * perClass + i] = c;
            }
        }
        return new SparkTrainer.TrainImages(uris, labels);
    }

    @Override
    public long[] imageShape(boolean train) {
        return new long[] {1, 28, 28};
    }

    @Override
    public void decodeInto(String uri, long seed, boolean train, float[] out, int at) {
        String[] parts = uri.split("/");
        int cls = Integer.parseInt(parts[1]);
        SplittableRandom noise = new SplittableRandom(uri.hashCode() * 31L + (train ? seed : 0));
        int row = 4 + 5 * (cls % 4);
        int col = 4 + 5 * (cls / 4);
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                boolean inSquare = y >= row && y < row + 5 && x >= col && x < col + 5;
                out[at + y * 28 + x] = (float) (0.3 * noise.nextDouble() + (inSquare ? 0.7 : 0.0));
            }
        }
    }
}
