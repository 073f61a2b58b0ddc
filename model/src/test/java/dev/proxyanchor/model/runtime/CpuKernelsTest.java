package dev.proxyanchor.model.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    void oneDnnHelpersAreEngagedOnThisMachine() {
        String description = CpuKernels.describe();
        if (System.getProperty(CpuKernels.EXTENSION, "").contains("onednn")) {
            assertTrue(description.contains("oneDNN helpers engaged"), description);
            assertTrue(description.endsWith("convolutions on oneDNN primitives (JavaCPP dnnl)"), description);
        }
    }
}
