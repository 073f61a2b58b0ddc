package dev.proxyanchor.model.layers.onednn;

import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.javacpp.Pointer;

/**
 * A tensor as the caller holds it (plain, possibly strided, in an ND4J buffer) paired with the layout a oneDNN
 * primitive chose for it. When the two differ, the tensor goes through a scratch buffer and a cached reorder;
 * when they agree, the primitive works on the caller's buffer directly.
 */
final class BoundMemory {

    private final memory user;
    private final memory primitive;
    private final reorder toPrimitive;
    private final reorder toUser;
    private final Scratch.Slot slot;
    private final long bytes;

    private BoundMemory(memory.desc userDesc, memory.desc primitiveDesc, Scratch.Slot slot, boolean input) {
        this.user = new memory(userDesc, OneDnn.engine(), new Pointer());
        this.slot = slot;
        if (userDesc.equals(primitiveDesc)) {
            primitive = user;
            toPrimitive = null;
            toUser = null;
            bytes = 0;
        } else {
            primitive = new memory(primitiveDesc, OneDnn.engine(), new Pointer());
            toPrimitive = input ? new reorder(user, primitive) : null;
            toUser = input ? null : new reorder(primitive, user);
            bytes = primitiveDesc.get_size();
        }
    }

    /** A tensor the primitive reads. */
    static BoundMemory input(memory.desc userDesc, memory.desc primitiveDesc, Scratch.Slot slot) {
        return new BoundMemory(userDesc, primitiveDesc, slot, true);
    }

    /** A tensor the primitive writes. */
    static BoundMemory output(memory.desc userDesc, memory.desc primitiveDesc, Scratch.Slot slot) {
        return new BoundMemory(userDesc, primitiveDesc, slot, false);
    }

    /** The memory the primitive uses, holding (for an input) the caller's data at {@code address}. */
    memory bind(Pointer address) {
        user.set_data_handle(address);
        if (primitive != user) {
            primitive.set_data_handle(Scratch.get(slot, bytes));
            if (toPrimitive != null) {
                toPrimitive.execute(OneDnn.stream(), user, primitive);
            }
        }
        return primitive;
    }

    /** For an output: copies the primitive's result back into the caller's layout (no-op when they agree). */
    void publish() {
        if (toUser != null) {
            toUser.execute(OneDnn.stream(), primitive, user);
        }
    }
}
