package org.deeplearning4j.nn.layers.mkldnn;

import org.nd4j.linalg.factory.Nd4j;

/**
 * Replaces DL4J 1.0.0-M2.1's class of the same name, whose check looks up {@code org.nd4j.nativeblas.Nd4jCpu} and
 * {@code isUseMKLDNN()}: ND4J M2.1 moved that class to {@code org.nd4j.linalg.cpu.nativecpu.bindings} and renamed the
 * method {@code isUseONEDNN()}, so the original check fails silently and every oneDNN layer helper (convolution,
 * BatchNorm, pooling) stays off. This copy, earlier on the class path than deeplearning4j-nn (the model module is
 * the job's first dependency, and the shaded job jar keeps the first copy), asks the moved class. See
 * {@link dev.proxyanchor.model.runtime.CpuKernels}.
 */
public class BaseMKLDNNHelper {

    private static final String ENVIRONMENT = "org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment";

    private static volatile Boolean enabled;

    public static boolean mklDnnEnabled() {
        if (enabled == null) {
            enabled = check();
        }
        return enabled && Nd4j.getEnvironment().helpersAllowed();
    }

    private static boolean check() {
        try {
            Class<?> environment = Class.forName(ENVIRONMENT);
            Object instance = environment.getMethod("getInstance").invoke(null);
            return (boolean) environment.getMethod("isUseONEDNN").invoke(instance);
        } catch (ReflectiveOperationException | LinkageError e) {
            return false;
        }
    }
}
