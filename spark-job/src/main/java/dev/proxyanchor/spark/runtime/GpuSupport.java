package dev.proxyanchor.spark.runtime;

import dev.proxyanchor.model.UserInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Which GPUs ND4J's CUDA backend can run on, checked on each GPU executor before ND4J starts.
 *
 * <p>{@code libnd4jcuda.so} in {@code org.nd4j:nd4j-cuda-11.6:1.0.0-M2.1} holds compiled kernels for the compute
 * capabilities {@link #COMPILED} and no PTX (read from its {@code .nv_fatbin} section), so the driver cannot compile
 * kernels for a newer GPU: a GPU runs them only if a kernel was compiled for its own major version at a minor version
 * no higher than its own. Ada (8.9) runs the 8.6 kernels; Hopper (9.0: H100, H200) and later run none and would fail
 * deep inside the first ND4J operation. The capability comes from {@code nvidia-smi --query-gpu=compute_cap} (drivers
 * from 510 on; Hopper needs a newer driver anyway); when it cannot be read the executor goes on and says so.
 */
public final class GpuSupport {

    /** The compute capabilities ND4J 1.0.0-M2.1's CUDA build has kernels for. */
    static final List<Capability> COMPILED = List.of(new Capability(3, 7), new Capability(5, 0),
            new Capability(5, 2), new Capability(6, 0), new Capability(6, 1), new Capability(7, 0),
            new Capability(7, 5), new Capability(8, 0), new Capability(8, 6));
    static final String SUPPORTED = "compute capability 3.7 (Tesla K80), 5.x (Maxwell), 6.x (Pascal), 7.x (Volta, "
            + "Turing), 8.x (Ampere, Ada: A100, A10, A40, RTX 30xx, L4, L40, RTX 40xx)";
    private static final Pattern ROW = Pattern.compile("^\\s*(\\d+)\\s*,\\s*(.*?)\\s*,\\s*(\\d+)\\.(\\d+)\\s*$");
    private static final long NVIDIA_SMI_SECONDS = 20;
    /** The first refusal an executor reported to the driver (driver side), for the message the run ends with. */
    private static final AtomicReference<UserInputException> REPORTED = new AtomicReference<>();

    private GpuSupport() {
    }

    /** A CUDA compute capability, {@code major.minor}. */
    record Capability(int major, int minor) {
        @Override
        public String toString() {
            return major + "." + minor;
        }
    }

    /** One GPU as {@code nvidia-smi} lists it. */
    record Gpu(int index, String name, Capability capability) {
    }

    /** Whether ND4J's kernels run on a GPU of this capability (same major version, compiled minor no higher). */
    static boolean canRun(Capability gpu) {
        return COMPILED.stream().anyMatch(k -> k.major() == gpu.major() && k.minor() <= gpu.minor());
    }

    /**
     * Why the GPUs at these Spark addresses cannot run the job, or empty when they can (or when their capability
     * cannot be read: {@code unknown} receives what to log then). {@code nvidiaSmi} answers
     * {@code index, name, compute_cap} rows, or throws when it cannot.
     */
    static Optional<UserInputException> refusal(List<Integer> devices, Supplier<String> nvidiaSmi,
            java.util.function.Consumer<String> unknown) {
        if (devices.isEmpty()) {
            return Optional.empty();
        }
        List<Gpu> gpus;
        try {
            gpus = parse(nvidiaSmi.get());
        } catch (RuntimeException e) {
            unknown.accept("cannot read the compute capability of GPU " + devices + " (" + e.getMessage() + "); "
                    + "ND4J's CUDA build runs on " + SUPPORTED + " only");
            return Optional.empty();
        }
        for (int device : devices) {
            Optional<Gpu> gpu = gpus.stream().filter(g -> g.index() == device).findFirst();
            if (gpu.isEmpty()) {
                unknown.accept("nvidia-smi does not list GPU " + device + " (it lists " + gpus + ")");
            } else if (!canRun(gpu.get().capability())) {
                return Optional.of(new UserInputException("GPU " + device + " (" + gpu.get().name() + ") has compute "
                        + "capability " + gpu.get().capability() + ", which ND4J 1.0.0-M2.1's CUDA backend cannot run "
                        + "on: its kernels are compiled for " + COMPILED.stream().map(Capability::toString)
                        .collect(Collectors.joining(", ")) + " without PTX, so it supports " + SUPPORTED + ", not "
                        + "Hopper (9.0: H100, H200) or later. Run the executors on supported GPUs, or on CPUs (the "
                        + "job jar without -Pcuda, and no --gpu)"));
            }
        }
        return Optional.empty();
    }

    /** Rows of {@code nvidia-smi --query-gpu=index,name,compute_cap --format=csv,noheader}. */
    static List<Gpu> parse(String output) {
        List<Gpu> gpus = new ArrayList<>();
        for (String line : output.split("\\R")) {
            if (line.isBlank()) {
                continue;
            }
            Matcher row = ROW.matcher(line);
            if (!row.matches()) {
                throw new IllegalArgumentException("unexpected nvidia-smi output '" + line.strip() + "'");
            }
            gpus.add(new Gpu(Integer.parseInt(row.group(1)), row.group(2),
                    new Capability(Integer.parseInt(row.group(3)), Integer.parseInt(row.group(4)))));
        }
        return gpus;
    }

    /** Asks this host's {@code nvidia-smi}; throws when it is missing, fails or takes too long. */
    static String askNvidiaSmi() {
        try {
            Process smi = new ProcessBuilder("nvidia-smi", "--query-gpu=index,name,compute_cap",
                    "--format=csv,noheader").redirectErrorStream(true).start();
            if (!smi.waitFor(NVIDIA_SMI_SECONDS, TimeUnit.SECONDS)) {
                smi.destroyForcibly();
                throw new IllegalStateException("nvidia-smi did not answer within " + NVIDIA_SMI_SECONDS + " s");
            }
            String output = new String(smi.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (smi.exitValue() != 0) {
                throw new IllegalStateException("nvidia-smi failed: " + output.strip());
            }
            return output;
        } catch (IOException e) {
            throw new IllegalStateException("no nvidia-smi: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking nvidia-smi", e);
        }
    }

    /** Driver side: a new SparkContext starts without refusals (the driver plugin's init). */
    static void clearReported() {
        REPORTED.set(null);
    }

    /** Driver side: records what an executor refused (the first one wins). */
    static void report(UserInputException refusal) {
        REPORTED.compareAndSet(null, refusal);
    }

    /** Driver side: the refusal an executor reported, which is why the run stopped. */
    public static Optional<UserInputException> reported() {
        return Optional.ofNullable(REPORTED.get());
    }
}
