package dev.proxyanchor.spark;

import dev.proxyanchor.spark.runtime.SparkSessions;
import org.apache.spark.sql.SparkSession;

/** The local[2] session a test class shares (create in @BeforeAll, stop in @AfterAll). */
public final class SparkTestSessions {

    private SparkTestSessions() {
    }

    public static SparkSession localTwo(String name) {
        return SparkSession.builder().config(SparkSessions.defaults(name).setMaster("local[2]")).getOrCreate();
    }
}
