package dev.proxyanchor.spark.runtime;

import dev.proxyanchor.model.runtime.CpuKernels;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/** Tests run on the same kernels as the job: configured before any test touches ND4J. */
public class CpuKernelsForTests implements LauncherSessionListener {
    @Override
    public void launcherSessionOpened(LauncherSession session) {
        CpuKernels.configure();
    }
}
