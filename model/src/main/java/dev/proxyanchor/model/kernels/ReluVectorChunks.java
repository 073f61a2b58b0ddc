package dev.proxyanchor.model.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** {@link ReluKernels}' chunk arithmetic on the JDK's Vector API; loaded only when the JVM has the module. */
final class ReluVectorChunks {

    private static final VectorSpecies<Float> LANES = FloatVector.SPECIES_PREFERRED;
    private static final FloatVector ZERO = FloatVector.zero(LANES);

    private ReluVectorChunks() {
    }

    /** v[0..length) = max(v, 0); lanewise MAX keeps NaN. */
    static void forward(float[] v, int length) {
        int i = 0;
        for (; i < LANES.loopBound(length); i += LANES.length()) {
            FloatVector.fromArray(LANES, v, i).max(ZERO).intoArray(v, i);
        }
        for (; i < length; i++) {
            v[i] = Math.max(v[i], 0f);
        }
    }

    /** g[0..length) = g where v > 0, else 0. */
    static void backward(float[] v, float[] g, int length) {
        int i = 0;
        for (; i < LANES.loopBound(length); i += LANES.length()) {
            FloatVector x = FloatVector.fromArray(LANES, v, i);
            ZERO.blend(FloatVector.fromArray(LANES, g, i), x.compare(VectorOperators.GT, ZERO)).intoArray(g, i);
        }
        for (; i < length; i++) {
            g[i] = v[i] > 0 ? g[i] : 0f;
        }
    }
}
