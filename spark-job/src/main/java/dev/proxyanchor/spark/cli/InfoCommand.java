package dev.proxyanchor.spark.cli;

import dev.proxyanchor.datasets.image.ImageDecoders;
import dev.proxyanchor.model.runtime.CpuKernels;
import dev.proxyanchor.spark.runtime.SparkSessions;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;

/**
 * Shows what a run would use: Spark master and version, ND4J backend on the driver and on the executors, and the
 * library each executor decodes JPEGs with. The first thing to run on a new cluster.
 */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Print the Spark master, the Spark version, the ND4J backend of the driver and executors and "
                + "the executors' JPEG decoder.")
final class InfoCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        SparkSession spark = SparkSessions.getOrCreate("proxyanchor info");
        try {
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            System.out.println("spark.master   " + jsc.master());
            System.out.println("spark.version  " + jsc.version());
            System.out.println("driver nd4j    " + Nd4j.getBackend().getClass().getSimpleName() + ", "
                    + CpuKernels.describe());
            int slices = Math.max(1, jsc.defaultParallelism());
            List<String> executors = jsc.parallelize(IntStream.range(0, slices).boxed().toList(), slices)
                    .map(ignored -> {
                        String host = " on " + java.net.InetAddress.getLocalHost().getHostName();
                        return "executor nd4j  " + Nd4j.getBackend().getClass().getSimpleName() + ", "
                                + CpuKernels.describe() + host + "\nexecutor jpeg  " + ImageDecoders.jpegDecoder()
                                + host;
                    })
                    .distinct()
                    .collect();
            executors.forEach(System.out::println);
            return 0;
        } finally {
            spark.stop();
        }
    }
}
