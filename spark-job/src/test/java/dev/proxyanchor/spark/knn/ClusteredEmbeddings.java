package dev.proxyanchor.spark.knn;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Seeded test data: unit vectors around a few class centres, with exact duplicates at other indices. */
final class ClusteredEmbeddings {

    private ClusteredEmbeddings() {
    }

    static List<Embedding> generate(long seed, int n, int dim, int classes, int duplicates, long firstId) {
        Random random = new Random(seed);
        float[][] centres = new float[classes][dim];
        for (float[] c : centres) {
            for (int i = 0; i < dim; i++) {
                c[i] = (float) random.nextGaussian();
            }
        }
        List<Embedding> rows = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            int label = random.nextInt(classes);
            float[] v = new float[dim];
            for (int i = 0; i < dim; i++) {
                v[i] = centres[label][i] + 0.6f * (float) random.nextGaussian();
            }
            rows.add(new Embedding(firstId + r, label, unit(v)));
        }
        for (int d = 0; d < duplicates; d++) {
            Embedding original = rows.get(random.nextInt(rows.size()));
            rows.add(random.nextInt(rows.size()), new Embedding(firstId + n + d, original.label(),
                    original.vector().clone()));
        }
        return rows;
    }

    static float[] unit(float[] v) {
        double sum = 0;
        for (float x : v) {
            sum += (double) x * x;
        }
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) (v[i] / Math.sqrt(sum));
        }
        return out;
    }
}
