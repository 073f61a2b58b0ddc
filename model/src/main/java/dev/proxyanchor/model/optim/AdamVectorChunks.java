package dev.proxyanchor.model.optim;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link AdamSweep}'s chunk arithmetic on the JDK's Vector API, on the arrays' native-order bytes (element i at byte
 * 4 i); loaded only when the JVM has the module. Lanewise multiply, add, square root and divide round as the scalar
 * float operations do, and nothing is fused, so the results are the scalar loop's, bit for bit.
 */
final class AdamVectorChunks {

    private static final VectorSpecies<Float> LANES = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private final ByteBuffer g;
    private final ByteBuffer m;
    private final ByteBuffer v;
    private final ByteBuffer count;
    private final float b1;
    private final float oneMinusB1;
    private final float b2;
    private final float oneMinusB2;
    private final float eps;
    private final float size;
    private final float correction;

    AdamVectorChunks(ByteBuffer g, ByteBuffer m, ByteBuffer v, ByteBuffer count, double beta1, double beta2,
            double epsilon, double stepSize, double biasCorrection2Sqrt) {
        this.g = g;
        this.m = m;
        this.v = v;
        this.count = count;
        b1 = (float) beta1;
        oneMinusB1 = (float) (1 - beta1);
        b2 = (float) beta2;
        oneMinusB2 = (float) (1 - beta2);
        eps = (float) epsilon;
        size = (float) stepSize;
        correction = (float) biasCorrection2Sqrt;
    }

    /** The step on elements [from, to). */
    void step(int from, int to) {
        int i = from;
        for (int end = from + LANES.loopBound(to - from); i < end; i += LANES.length()) {
            int at = i * Float.BYTES;
            FloatVector gi = FloatVector.fromByteBuffer(LANES, g, at, ORDER);
            FloatVector mi = FloatVector.fromByteBuffer(LANES, m, at, ORDER).mul(b1).add(gi.mul(oneMinusB1));
            FloatVector vi = FloatVector.fromByteBuffer(LANES, v, at, ORDER).mul(b2).add(gi.mul(gi).mul(oneMinusB2));
            mi.intoByteBuffer(m, at, ORDER);
            vi.intoByteBuffer(v, at, ORDER);
            mi.div(vi.sqrt().div(correction).add(eps)).mul(size).intoByteBuffer(g, at, ORDER);
            FloatVector.fromByteBuffer(LANES, count, at, ORDER).add(1f).intoByteBuffer(count, at, ORDER);
        }
        for (; i < to; i++) {
            int at = i * Float.BYTES;
            float gi = g.getFloat(at);
            float mi = m.getFloat(at) * b1 + gi * oneMinusB1;
            float vi = v.getFloat(at) * b2 + gi * gi * oneMinusB2;
            m.putFloat(at, mi);
            v.putFloat(at, vi);
            g.putFloat(at, mi / ((float) Math.sqrt(vi) / correction + eps) * size);
            count.putFloat(at, count.getFloat(at) + 1f);
        }
    }
}
