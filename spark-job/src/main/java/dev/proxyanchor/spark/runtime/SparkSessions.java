package dev.proxyanchor.spark.runtime;

import dev.proxyanchor.model.runtime.CpuKernels;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * Creates the Spark session every subcommand runs in, with the settings DL4J/ND4J need on this stack. The master
 * comes from {@code spark-submit} or {@code submit/local.sh}; a bare JVM (tests, IDE) falls back to
 * {@code local[*]}.
 */
public final class SparkSessions {

    private SparkSessions() {
    }

    public static SparkConf defaults(String appName) {
        CpuKernels.configure();
        SparkConf conf = new SparkConf(true)
                .setAppName(appName)
                .setIfMissing("spark.master", "local[*]")
                .setIfMissing("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
                .setIfMissing("spark.kryo.registrator", RecordKryoRegistrator.SPARK_SETTING)
                // A whole ComputationGraph travels as one Kryo object in parameter averaging.
                .setIfMissing("spark.kryoserializer.buffer.max", "1024m")
                .setIfMissing("spark.ui.enabled", "false")
                .setIfMissing("spark.sql.shuffle.partitions", "8");
        String plugins = conf.get("spark.plugins", "");
        String ours = CpuKernelsPlugin.class.getName();
        if (!plugins.contains(ours)) {
            conf.set("spark.plugins", plugins.isBlank() ? ours : plugins + "," + ours);
        }
        return conf;
    }

    public static SparkSession getOrCreate(String appName) {
        return SparkSession.builder().config(defaults(appName)).getOrCreate();
    }
}
