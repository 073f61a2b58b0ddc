package dev.proxyanchor.spark.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxyanchor.model.UserInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The GPU decision with faked nvidia-smi answers (there is no GPU here). */
class GpuSupportTest {

    private final List<String> warnings = new ArrayList<>();

    private Optional<UserInputException> refusal(List<Integer> devices, Supplier<String> nvidiaSmi) {
        return GpuSupport.refusal(devices, nvidiaSmi, warnings::add);
    }

    private Optional<UserInputException> refusal(String name, String capability) {
        return refusal(List.of(0), () -> "0, " + name + ", " + capability + "\n");
    }

    @Test
    void keplerK80ThroughAmpereAndAdaRun() {
        for (String[] gpu : new String[][] {{"Tesla K80", "3.7"}, {"Tesla M60", "5.2"}, {"Tesla P100-PCIE-16GB", "6.0"},
            {"NVIDIA GeForce GTX 1080 Ti", "6.1"}, {"Tesla V100-SXM2-16GB", "7.0"}, {"Jetson AGX Xavier", "7.2"},
            {"Tesla T4", "7.5"}, {"NVIDIA A100-SXM4-80GB", "8.0"}, {"NVIDIA A10G", "8.6"}, {"Jetson AGX Orin", "8.7"},
            {"NVIDIA L4", "8.9"}, {"NVIDIA GeForce RTX 4090", "8.9"}}) {
            assertTrue(refusal(gpu[0], gpu[1]).isEmpty(), gpu[0] + " " + gpu[1]);
        }
        assertTrue(warnings.isEmpty(), warnings.toString());
    }

    @Test
    void hopperAndLaterAndOldKeplerAreRefusedNamingTheGpuItsCapabilityAndTheRange() {
        UserInputException h100 = refusal("NVIDIA H100 80GB HBM3", "9.0").orElseThrow();
        assertTrue(h100.getMessage().startsWith("GPU 0 (NVIDIA H100 80GB HBM3) has compute capability 9.0"),
                h100.getMessage());
        assertTrue(h100.getMessage().contains("3.7, 5.0, 5.2, 6.0, 6.1, 7.0, 7.5, 8.0, 8.6")
                && h100.getMessage().contains("Ada") && h100.getMessage().contains("without -Pcuda"),
                h100.getMessage());
        for (String[] gpu : new String[][] {{"NVIDIA H200", "9.0"}, {"NVIDIA B200", "10.0"},
            {"NVIDIA GeForce RTX 5090", "12.0"}, {"Tesla K40m", "3.5"}, {"GeForce GTX 680", "3.0"}}) {
            assertTrue(refusal(gpu[0], gpu[1]).isPresent(), gpu[0] + " " + gpu[1]);
        }
    }

    @Test
    void onlyTheGpusSparkAssignedTheExecutorCount() {
        Supplier<String> mixed = () -> "0, NVIDIA A100-SXM4-40GB, 8.0\n1, NVIDIA H100 PCIe, 9.0\n";
        assertTrue(refusal(List.of(0), mixed).isEmpty());
        assertTrue(refusal(List.of(1), mixed).orElseThrow().getMessage().startsWith("GPU 1 (NVIDIA H100 PCIe)"));
        assertTrue(refusal(List.of(0, 1), mixed).isPresent());
    }

    @Test
    void anUnreadableCapabilityLetsTheExecutorGoOnAndSaysSo() {
        assertTrue(refusal(List.of(0), () -> {
            throw new IllegalStateException("nvidia-smi failed: Field \"compute_cap\" is not a valid field to query.");
        }).isEmpty());
        assertTrue(refusal(List.of(0), () -> "Failed to initialize NVML: Driver/library version mismatch\n").isEmpty());
        assertTrue(refusal(List.of(3), () -> "0, Tesla T4, 7.5\n").isEmpty());
        assertEquals(3, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("compute_cap") && warnings.get(0).contains("3.7"), warnings.get(0));
        assertTrue(warnings.get(2).contains("does not list GPU 3"), warnings.get(2));
    }

    @Test
    void anExecutorWithoutGpusNeverAsksNvidiaSmi() {
        assertTrue(refusal(List.of(), () -> {
            throw new AssertionError("asked");
        }).isEmpty());
        assertFalse(GpuSupport.canRun(new GpuSupport.Capability(9, 0)));
        assertTrue(GpuSupport.canRun(new GpuSupport.Capability(8, 9)));
    }
}
