package dev.proxyanchor.spark;

import dev.proxyanchor.spark.runtime.SparkSessions;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/** One local[2] Spark session for the whole test JVM: starting one costs seconds. */
public final class SharedSpark {

    private static SparkSession session;

    private SharedSpark() {
    }

    public static synchronized SparkSession session() {
        if (session == null || session.sparkContext().isStopped()) {
            session = SparkSession.builder().config(SparkSessions.defaults("tests").setMaster("local[2]"))
                    .getOrCreate();
        }
        return session;
    }

    public static JavaSparkContext jsc() {
        return JavaSparkContext.fromSparkContext(session().sparkContext());
    }
}
