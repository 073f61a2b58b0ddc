package dev.proxyanchor.model.layers.onednn;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;

/**
 * Per-thread buffers for oneDNN's blocked copies of a convolution's tensors. Layers run one after another on a
 * thread, and no blocked copy outlives the helper call that made it, so every layer of a network shares the same few
 * buffers instead of each keeping its own feature-map-sized copies. The buffers are JavaCPP allocations: they count
 * against {@code org.bytedeco.javacpp.maxbytes}, and JavaCPP frees them once their thread is gone (Spark retires idle
 * task threads), or when a larger one replaces them.
 */
final class Scratch {

    private static final int ALIGNMENT = 64;
    private static final ThreadLocal<Scratch> THREAD = ThreadLocal.withInitial(Scratch::new);

    private final BytePointer[] owned = new BytePointer[Slot.values().length];
    private final long[] capacity = new long[owned.length];

    /** One buffer per role in a convolution call. */
    enum Slot { SRC, WEIGHTS, DST, DIFF_DST, DIFF_SRC, DIFF_WEIGHTS }

    static Pointer get(Slot slot, long bytes) {
        return THREAD.get().buffer(slot.ordinal(), bytes);
    }

    private Pointer buffer(int i, long bytes) {
        if (capacity[i] < bytes) {
            if (owned[i] != null) {
                owned[i].deallocate();
            }
            owned[i] = new BytePointer(bytes + ALIGNMENT);
            capacity[i] = bytes;
        }
        long misalignment = owned[i].address() % ALIGNMENT;
        return new BytePointer(owned[i]).position(misalignment == 0 ? 0 : ALIGNMENT - misalignment);
    }
}
