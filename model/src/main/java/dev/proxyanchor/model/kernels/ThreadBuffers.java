package dev.proxyanchor.model.kernels;

/**
 * Per-thread scratch arrays for the Java kernels (pooling, ReLU), reused across planes, chunks and calls instead of
 * allocated per plane. Each kernel numbers the arrays it needs at once from 0; kernels run one at a time on a thread,
 * so they share the same arrays. An array only grows, so it may be longer than asked for: callers pass lengths.
 */
final class ThreadBuffers {

    private static final int SLOTS = 6;
    private static final ThreadLocal<ThreadBuffers> THREAD = ThreadLocal.withInitial(ThreadBuffers::new);

    private final float[][] floats = new float[SLOTS][0];
    private final byte[][] bytes = new byte[SLOTS][0];

    private ThreadBuffers() {
    }

    /** This thread's float array number {@code slot}, at least {@code length} long. */
    static float[] floats(int slot, int length) {
        float[][] arrays = THREAD.get().floats;
        if (arrays[slot].length < length) {
            arrays[slot] = new float[length];
        }
        return arrays[slot];
    }

    /** As {@link #floats}, with its first {@code length} elements zeroed. */
    static float[] zeroedFloats(int slot, int length) {
        float[] a = floats(slot, length);
        java.util.Arrays.fill(a, 0, length, 0f);
        return a;
    }

    /** This thread's byte array number {@code slot}, at least {@code length} long. */
    static byte[] bytes(int slot, int length) {
        byte[][] arrays = THREAD.get().bytes;
        if (arrays[slot].length < length) {
            arrays[slot] = new byte[length];
        }
        return arrays[slot];
    }
}
