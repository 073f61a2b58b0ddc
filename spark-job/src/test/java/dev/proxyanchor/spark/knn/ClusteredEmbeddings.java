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

    /**
     * Unnormalised vectors with norms spread log-uniformly over [0.01, 100], in groups of near-ties: each group
     * shares a norm and a direction up to a relative perturbation of {@code 1e-6}, so that for large norms their
     * scores differ by less than float32 GEMM rounds them.
     */
    static List<Embedding> nearTiesOfEveryNorm(long seed, int groups, int perGroup, int dim, int classes) {
        Random random = new Random(seed);
        List<Embedding> rows = new ArrayList<>();
        for (int g = 0; g < groups; g++) {
            double norm = Math.pow(10, -2 + 4 * random.nextDouble());
            double[] direction = new double[dim];
            for (int i = 0; i < dim; i++) {
                direction[i] = random.nextGaussian() + (g % 2 == 0 ? 1 : 0);
            }
            double length = Math.sqrt(java.util.Arrays.stream(direction).map(x -> x * x).sum());
            for (int m = 0; m < perGroup; m++) {
                float[] v = new float[dim];
                for (int i = 0; i < dim; i++) {
                    v[i] = (float) (norm * (direction[i] / length + 1e-6 * random.nextGaussian()));
                }
                rows.add(new Embedding(rows.size(), random.nextInt(classes), v));
            }
        }
        java.util.Collections.shuffle(rows, random);
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
