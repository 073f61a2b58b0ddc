package dev.proxyanchor.model.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CpuKernelsTest {

    @Test
    void picksTheBestBuildTheCpuCanRun() {
        assertEquals("-onednn-avx512", CpuKernels.extensionFor("fpu sse2 avx avx2 fma avx512f avx512bw avx512vl"));
        assertEquals("-onednn-avx2", CpuKernels.extensionFor("fpu sse2 avx avx2 fma avx512f"));
        assertEquals("-onednn-avx2", CpuKernels.extensionFor("fpu sse2 avx avx2 fma"));
        assertEquals("", CpuKernels.extensionFor("fpu sse2 avx"));
        assertEquals("", CpuKernels.extensionFor(""));
    }

    @Test
    void saysWhetherIdleNativeThreadsSpinAndWhatStopsIt() {
        assertEquals("idle native threads sleep",
                CpuKernels.idleThreads(Map.of("OMP_WAIT_POLICY", "PASSIVE", "OPENBLAS_THREAD_TIMEOUT", "4")));
        assertEquals("idle native threads spin (OMP_WAIT_POLICY=passive OPENBLAS_THREAD_TIMEOUT=4 would free their "
                + "cores; see submit/java-opts.sh)", CpuKernels.idleThreads(Map.of()));
        assertEquals("idle native threads spin (OPENBLAS_THREAD_TIMEOUT=4 would free their cores; see "
                + "submit/java-opts.sh)", CpuKernels.idleThreads(Map.of("OMP_WAIT_POLICY", "passive")));
    }

    @Test
    void oneDnnHelpersAreEngagedOnThisMachine() {
        String description = CpuKernels.describe();
        if (System.getProperty(CpuKernels.EXTENSION, "").contains("onednn")) {
            assertTrue(description.contains("oneDNN helpers engaged"), description);
            assertTrue(description.contains("convolutions on oneDNN primitives (JavaCPP dnnl)"), description);
        }
    }
}
