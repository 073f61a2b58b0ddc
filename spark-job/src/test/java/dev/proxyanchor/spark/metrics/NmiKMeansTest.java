package dev.proxyanchor.spark.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxyanchor.spark.SparkTestSessions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.mllib.clustering.KMeans;
import org.apache.spark.mllib.clustering.KMeansModel;
import org.apache.spark.mllib.linalg.Vector;
import org.apache.spark.mllib.linalg.Vectors;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** k-means run one counted iteration at a time ends where MLlib's own single run ends. */
class NmiKMeansTest {

    private static SparkSession spark;

    @BeforeAll
    static void startSpark() {
        spark = SparkTestSessions.localTwo("NmiKMeansTest");
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    @Test
    void steppedIterationsGiveMllibsCentresAndStopWhereItStops() {
        Random random = new Random(5);
        List<Vector> points = new ArrayList<>();
        for (int i = 0; i < 240; i++) {
            int cluster = i % 4;
            points.add(Vectors.dense(cluster * 0.7 + random.nextGaussian() * 0.4,
                    cluster % 3 + random.nextGaussian() * 0.4, random.nextGaussian()));
        }
        JavaRDD<Vector> rdd = JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(points, 3).cache();

        List<Integer> reported = new ArrayList<>();
        KMeansModel stepped = Nmi.kMeans(rdd, 4, 11, reported::add);
        KMeansModel whole = new KMeans().setK(4).setMaxIterations(Nmi.MAX_ITERATIONS).setEpsilon(Nmi.EPSILON)
                .setSeed(11).run(rdd.rdd());

        assertTrue(reported.size() > 2 && reported.size() < Nmi.MAX_ITERATIONS, "iterations " + reported);
        assertEquals(reported.size(), reported.get(reported.size() - 1));
        assertEquals(whole.k(), stepped.k());
        for (int c = 0; c < whole.k(); c++) {
            assertArrayEquals(whole.clusterCenters()[c].toArray(), stepped.clusterCenters()[c].toArray(), 1e-12);
        }
        // numIter is private[spark] in Scala, public in the bytecode: the only place MLlib says when it stopped.
        assertEquals(whole.numIter(), reported.size(), "MLlib stopped after another number of iterations");
    }
}
