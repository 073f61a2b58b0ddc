package dev.proxyanchor.spark.data;

import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The default size of an executor's decode pool: the cores the training step leaves idle, at least one. The step
 * of each concurrent task keeps {@code OMP_NUM_THREADS} cores busy on the CPU backend (all of them where it is not
 * set) and one host thread on a GPU; the cores are the executor's ({@code spark.executor.cores}, or the JVM's
 * processors in local mode).
 */
public final class DecodeThreads {

    private DecodeThreads() {
    }

    static int byDefault() {
        int cores = Runtime.getRuntime().availableProcessors();
        SparkEnv env = SparkEnv.get();
        int slots = 1;
        if (env != null) {
            SparkConf conf = env.conf();
            int executorCores = conf.getInt("spark.executor.cores", cores);
            slots = Math.max(1, executorCores / Math.max(1, conf.getInt("spark.task.cpus", 1)));
            cores = Math.min(cores, executorCores);
            String master = conf.get("spark.master", "");
            if (master.startsWith("local[")) {
                slots = localSlots(master, cores);
            }
        }
        boolean cpu = "CpuBackend".equals(Nd4j.getBackend().getClass().getSimpleName());
        String omp = System.getenv("OMP_NUM_THREADS");
        int perStep = !cpu ? 1 : omp == null || omp.isBlank() ? cores : Math.max(1, Integer.parseInt(omp.trim()));
        return spare(cores, slots, perStep);
    }

    /** {@code cores - slots * threadsPerStep}, at least 1. */
    static int spare(int cores, int slots, int threadsPerStep) {
        return Math.max(1, cores - slots * threadsPerStep);
    }

    private static int localSlots(String master, int cores) {
        String n = master.substring("local[".length(), master.indexOf(']')).split(",")[0];
        return "*".equals(n) ? cores : Math.max(1, Integer.parseInt(n));
    }
}
