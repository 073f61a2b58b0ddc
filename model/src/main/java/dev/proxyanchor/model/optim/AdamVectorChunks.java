package dev.proxyanchor.model.optim;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link AdamSweep}'s chunks on the JDK's Vector API, on the arrays' native-order bytes (element i at byte 4 i);
 * loaded only when the JVM has the module. Lanewise multiply, add, square root and divide round as the scalar float
 * operations do, min and max treat NaN and -0.0 as {@link Math#min} and {@link Math#max} do, and nothing is fused, so
 * the results are {@link AdamSweep.Constants#scalar}'s, bit for bit.
 */
final class AdamVectorChunks {

    private static final VectorSpecies<Float> LANES = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private final AdamSweep.Constants c;
    private final ByteBuffer g;
    private final ByteBuffer m;
    private final ByteBuffer v;
    private final ByteBuffer count;

    AdamVectorChunks(AdamSweep.Constants constants, ByteBuffer g, ByteBuffer m, ByteBuffer v, ByteBuffer count) {
        this.c = constants;
        this.g = g;
        this.m = m;
        this.v = v;
        this.count = count;
    }

    /** The step on elements [from, to). */
    void step(int from, int to) {
        int i = from;
        for (int end = from + LANES.loopBound(to - from); i < end; i += LANES.length()) {
            int at = i * Float.BYTES;
            FloatVector gi = FloatVector.fromByteBuffer(LANES, g, at, ORDER).min(c.clip()).max(-c.clip());
            FloatVector mi = FloatVector.fromByteBuffer(LANES, m, at, ORDER).mul(c.b1()).add(gi.mul(c.oneMinusB1()));
            FloatVector vi = FloatVector.fromByteBuffer(LANES, v, at, ORDER).mul(c.b2())
                    .add(gi.mul(gi).mul(c.oneMinusB2()));
            mi.intoByteBuffer(m, at, ORDER);
            vi.intoByteBuffer(v, at, ORDER);
            mi.div(vi.sqrt().div(c.correction()).add(c.eps())).mul(c.size()).intoByteBuffer(g, at, ORDER);
            FloatVector.fromByteBuffer(LANES, count, at, ORDER).add(1f).intoByteBuffer(count, at, ORDER);
        }
        c.scalar(g, m, v, count, i, to);
    }
}
