package dev.proxyanchor.spark.runtime;

import dev.proxyanchor.model.UserInputException;

/** What the driver plugin does with an executor's refusal, for tests in other packages. */
public final class GpuSupportAccess {

    private GpuSupportAccess() {
    }

    public static void report(UserInputException refusal) {
        GpuSupport.report(refusal);
    }

    public static void clear() {
        GpuSupport.clearReported();
    }
}
