package dev.proxyanchor.spark.metrics;

import dev.proxyanchor.spark.knn.Embedding;
import dev.proxyanchor.spark.progress.JobProgress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.mllib.clustering.KMeans;
import org.apache.spark.mllib.clustering.KMeansModel;
import org.apache.spark.mllib.linalg.Vector;
import org.apache.spark.mllib.linalg.Vectors;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * NMI between the labels and a k-means clustering of the embeddings (Spark MLlib KMeans, k = number of classes),
 * normalised by the arithmetic mean of the two entropies, as scikit-learn's default that the reference code uses.
 */
public final class Nmi {

    static final int MAX_ITERATIONS = 100;
    /** MLlib's default convergence distance. */
    static final double EPSILON = 1e-4;

    private Nmi() {
    }

    public static double ofKMeans(JavaRDD<Embedding> embeddings, int classes, long seed) {
        int parallelism = embeddings.context().defaultParallelism();
        // k-means costs points x classes x dim per iteration: spread it over every task slot, however the
        // embeddings were read (a single .npy file arrives as one partition).
        JavaRDD<Embedding> spread = embeddings.getNumPartitions() < parallelism
                ? embeddings.repartition(parallelism) : embeddings;
        JavaRDD<Vector> points = spread.map(e -> Vectors.dense(toDoubles(e.vector())))
                .persist(StorageLevel.MEMORY_AND_DISK());
        AtomicInteger iterations = new AtomicInteger();
        KMeansModel model;
        try (JobProgress progress = JobProgress.of("NMI k-means (k=" + classes + ", at most " + MAX_ITERATIONS
                + " iterations)", "iterations", MAX_ITERATIONS, iterations::get)) {
            model = kMeans(points, classes, seed, iterations::set);
        } finally {
            points.unpersist(false);
        }
        Map<Tuple2<Integer, Integer>, Long> contingency = spread
                .map(e -> new Tuple2<>(e.label(), model.predict(Vectors.dense(toDoubles(e.vector())))))
                .countByValue();
        return fromContingency(contingency);
    }

    /**
     * MLlib's k-means (k-means|| initialisation, then Lloyd iterations until every centre moves less than
     * {@link #EPSILON} or {@link #MAX_ITERATIONS}), run one iteration per call so that the driver can count them:
     * each call starts from the previous centres, so the sequence of centres is the one a single
     * {@code KMeans.run} computes, and the stop rule is MLlib's own.
     *
     * @param onIteration called with the number of iterations done after each
     */
    static KMeansModel kMeans(JavaRDD<Vector> points, int k, long seed, IntConsumer onIteration) {
        KMeansModel model = new KMeans().setK(k).setMaxIterations(1).setEpsilon(EPSILON).setSeed(seed)
                .run(points.rdd());
        int done = 1;
        onIteration.accept(done);
        boolean converged = false;
        while (!converged && done < MAX_ITERATIONS) {
            KMeansModel next = new KMeans().setK(k).setMaxIterations(1).setEpsilon(EPSILON).setSeed(seed)
                    .setInitialModel(model).run(points.rdd());
            converged = allCentresConverged(model, next);
            model = next;
            onIteration.accept(++done);
        }
        return model;
    }

    /** MLlib's test: every centre moved by at most epsilon (Euclidean). */
    private static boolean allCentresConverged(KMeansModel before, KMeansModel after) {
        for (int c = 0; c < before.k(); c++) {
            if (Vectors.sqdist(before.clusterCenters()[c], after.clusterCenters()[c]) > EPSILON * EPSILON) {
                return false;
            }
        }
        return true;
    }

    /** NMI from the counts of (label, cluster) pairs. */
    public static double fromContingency(Map<Tuple2<Integer, Integer>, Long> counts) {
        Map<Integer, Long> labelTotals = new HashMap<>();
        Map<Integer, Long> clusterTotals = new HashMap<>();
        long n = 0;
        for (Map.Entry<Tuple2<Integer, Integer>, Long> e : counts.entrySet()) {
            labelTotals.merge(e.getKey()._1(), e.getValue(), Long::sum);
            clusterTotals.merge(e.getKey()._2(), e.getValue(), Long::sum);
            n += e.getValue();
        }
        double hLabels = entropy(labelTotals, n);
        double hClusters = entropy(clusterTotals, n);
        if (hLabels == 0 && hClusters == 0) {
            return 1.0;
        }
        double mutual = 0;
        for (Map.Entry<Tuple2<Integer, Integer>, Long> e : counts.entrySet()) {
            double joint = (double) e.getValue() / n;
            double pl = (double) labelTotals.get(e.getKey()._1()) / n;
            double pc = (double) clusterTotals.get(e.getKey()._2()) / n;
            mutual += joint * Math.log(joint / (pl * pc));
        }
        return Math.max(0, mutual) / ((hLabels + hClusters) / 2);
    }

    private static double entropy(Map<Integer, Long> totals, long n) {
        double h = 0;
        for (long count : totals.values()) {
            double p = (double) count / n;
            h -= p * Math.log(p);
        }
        return h;
    }

    private static double[] toDoubles(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }
}
