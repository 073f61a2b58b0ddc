package dev.proxyanchor.model.kernels;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link ReluKernels}' chunk arithmetic on the JDK's Vector API, straight on the arrays' native-order bytes (element i
 * at byte 4 i); loaded only when the JVM has the module.
 */
final class ReluVectorChunks {

    private static final VectorSpecies<Float> LANES = FloatVector.SPECIES_PREFERRED;
    private static final FloatVector ZERO = FloatVector.zero(LANES);
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private ReluVectorChunks() {
    }

    /** y = max(x, 0) on elements [from, to); lanewise MAX keeps NaN. */
    static void forward(ByteBuffer x, ByteBuffer y, int from, int to) {
        int i = from;
        for (int end = from + LANES.loopBound(to - from); i < end; i += LANES.length()) {
            load(x, i).max(ZERO).intoByteBuffer(y, i * Float.BYTES, ORDER);
        }
        for (; i < to; i++) {
            y.putFloat(i * Float.BYTES, Math.max(x.getFloat(i * Float.BYTES), 0f));
        }
    }

    /** out = max(a + b, 0) on elements [from, to). */
    static void sumForward(ByteBuffer a, ByteBuffer b, ByteBuffer out, int from, int to) {
        int i = from;
        for (int end = from + LANES.loopBound(to - from); i < end; i += LANES.length()) {
            load(a, i).add(load(b, i)).max(ZERO).intoByteBuffer(out, i * Float.BYTES, ORDER);
        }
        for (; i < to; i++) {
            out.putFloat(i * Float.BYTES, Math.max(a.getFloat(i * Float.BYTES) + b.getFloat(i * Float.BYTES), 0f));
        }
    }

    /** dx = dy where x > 0, else 0, on elements [from, to); written to {@code dx2} too unless it is null. */
    static void backward(ByteBuffer x, ByteBuffer dy, ByteBuffer dx, ByteBuffer dx2, int from, int to) {
        int i = from;
        for (int end = from + LANES.loopBound(to - from); i < end; i += LANES.length()) {
            FloatVector g = ZERO.blend(load(dy, i), load(x, i).compare(VectorOperators.GT, ZERO));
            g.intoByteBuffer(dx, i * Float.BYTES, ORDER);
            if (dx2 != null) {
                g.intoByteBuffer(dx2, i * Float.BYTES, ORDER);
            }
        }
        for (; i < to; i++) {
            float g = x.getFloat(i * Float.BYTES) > 0 ? dy.getFloat(i * Float.BYTES) : 0f;
            dx.putFloat(i * Float.BYTES, g);
            if (dx2 != null) {
                dx2.putFloat(i * Float.BYTES, g);
            }
        }
    }

    private static FloatVector load(ByteBuffer b, int element) {
        return FloatVector.fromByteBuffer(LANES, b, element * Float.BYTES, ORDER);
    }
}
