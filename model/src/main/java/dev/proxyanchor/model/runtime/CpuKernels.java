package dev.proxyanchor.model.runtime;

import dev.proxyanchor.model.layers.onednn.OneDnn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.deeplearning4j.config.DL4JSystemProperties;

/**
 * Chooses ND4J's fastest CPU build for the machine the JVM runs on and turns DL4J's oneDNN layer helpers on (in a GPU
 * build, ND4J's cuDNN-enabled CUDA natives instead). Must
 * run before ND4J loads its native library (first thing in {@code main}, in the executors' Spark plugin, and in the
 * test launcher), because JavaCPP reads {@value #EXTENSION} once.
 *
 * <ul>
 *   <li>AVX-512 CPUs get {@code linux-x86_64-onednn-avx512}, AVX2 ones {@code linux-x86_64-onednn-avx2}, others the
 *       plain {@code linux-x86_64} build (always present, no oneDNN): a safe fallback, never an illegal
 *       instruction;</li>
 *   <li>DL4J M2.1 creates no layer helpers unless {@value DL4JSystemProperties#DISABLE_HELPER_PROPERTY} is false (its
 *       default is true).</li>
 * </ul>
 * A value the user set (system property) always wins.
 */
public final class CpuKernels {

    public static final String EXTENSION = "org.bytedeco.javacpp.platform.extension";

    private CpuKernels() {
    }

    public static synchronized void configure() {
        if (cudaBackendPresent()) {
            // A GPU build (-Pcuda) carries nd4j-cuda's plain and cuDNN natives: load the cuDNN one.
            if (System.getProperty(EXTENSION) == null) {
                System.setProperty(EXTENSION, "-cudnn");
            }
            return;
        }
        if (System.getProperty(EXTENSION) == null) {
            System.setProperty(EXTENSION, extensionFor(cpuFlags()));
        }
        if (System.getProperty(DL4JSystemProperties.DISABLE_HELPER_PROPERTY) == null) {
            System.setProperty(DL4JSystemProperties.DISABLE_HELPER_PROPERTY, "false");
        }
    }

    static boolean cudaBackendPresent() {
        try {
            Class.forName("org.nd4j.linalg.jcublas.JCublasBackend", false, CpuKernels.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /** The JavaCPP platform extension of the best build the given /proc/cpuinfo flags can run. */
    public static String extensionFor(String flags) {
        String f = " " + flags.toLowerCase(Locale.ROOT) + " ";
        if (f.contains(" avx512f ") && f.contains(" avx512bw ") && f.contains(" avx512vl ")) {
            return "-onednn-avx512";
        }
        if (f.contains(" avx2 ") && f.contains(" fma ")) {
            return "-onednn-avx2";
        }
        return "";
    }

    /** What the running JVM uses, for the start-up log. */
    public static String describe() {
        String extension = System.getProperty(EXTENSION, "");
        return "nd4j-native linux-x86_64" + extension
                + (extension.contains("onednn") ? " (oneDNN)" : " (no oneDNN)")
                + ", DL4J layer helpers "
                + ("false".equals(System.getProperty(DL4JSystemProperties.DISABLE_HELPER_PROPERTY)) ? "on" : "off")
                + ", oneDNN helpers " + (org.deeplearning4j.nn.layers.mkldnn.BaseMKLDNNHelper.mklDnnEnabled()
                ? "engaged" : "not engaged")
                + ", convolutions on " + (OneDnn.usable() ? "oneDNN primitives (JavaCPP dnnl)" : "DL4J's path")
                + ", " + idleThreads(System.getenv());
    }

    /**
     * How idle OpenMP and OpenBLAS workers wait, from the environment they read at load: spinning ones hold cores the
     * next stage of a training step needs (submit/java-opts.sh's NATIVE_THREAD_ENV sets both).
     */
    static String idleThreads(java.util.Map<String, String> env) {
        boolean openMpPassive = "passive".equalsIgnoreCase(env.getOrDefault("OMP_WAIT_POLICY", "").strip());
        boolean openBlasShort = env.containsKey("OPENBLAS_THREAD_TIMEOUT");
        if (openMpPassive && openBlasShort) {
            return "idle native threads sleep";
        }
        return "idle native threads spin (" + (openMpPassive ? "" : "OMP_WAIT_POLICY=passive ")
                + (openBlasShort ? "" : "OPENBLAS_THREAD_TIMEOUT=4 ") + "would free their cores; see submit/java-opts.sh)";
    }

    private static String cpuFlags() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("flags")) {
                    return line.substring(line.indexOf(':') + 1);
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux or not readable: the plain build runs everywhere.
        }
        return "";
    }
}
