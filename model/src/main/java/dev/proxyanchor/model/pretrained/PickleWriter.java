package dev.proxyanchor.model.pretrained;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes the opcodes of Python's pickle protocol 2 that a PyTorch state_dict needs, the writing half of
 * {@link Pickle}: strings, small and large ints, False, tuples, dicts, {@code GLOBAL} references, calls
 * ({@code REDUCE}) and persistent ids. The caller composes values by emitting opcodes in Python's evaluation order,
 * as {@code pickle.Pickler} does; nothing is memoised (a state_dict repeats no object).
 */
final class PickleWriter {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    PickleWriter() {
        out.write(0x80); // PROTO
        out.write(2);
    }

    /** The finished pickle, STOP included. */
    byte[] finish() {
        out.write('.');
        return out.toByteArray();
    }

    PickleWriter mark() {
        out.write('(');
        return this;
    }

    /** A tuple of everything since the last {@link #mark()}. */
    PickleWriter tuple() {
        out.write('t');
        return this;
    }

    PickleWriter emptyTuple() {
        out.write(')');
        return this;
    }

    PickleWriter emptyDict() {
        out.write('}');
        return this;
    }

    /** Sets the key/value pairs since the last {@link #mark()} in the dict below the mark. */
    PickleWriter setItems() {
        out.write('u');
        return this;
    }

    /** Sets one key/value pair in the dict below them. */
    PickleWriter setItem() {
        out.write('s');
        return this;
    }

    PickleWriter bool(boolean value) {
        out.write(value ? 0x88 : 0x89);
        return this;
    }

    PickleWriter string(String value) {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        out.write('X'); // BINUNICODE
        int32(utf8.length);
        out.writeBytes(utf8);
        return this;
    }

    PickleWriter integer(long value) {
        if (value >= 0 && value < 256) {
            out.write('K');
            out.write((int) value);
        } else if (value >= 0 && value < 65536) {
            out.write('M');
            out.write((int) value & 0xff);
            out.write((int) (value >>> 8) & 0xff);
        } else if (value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE) {
            out.write('J');
            int32((int) value);
        } else {
            out.write(0x8a); // LONG1: 8 bytes of two's complement, little-endian
            out.write(8);
            for (int i = 0; i < 8; i++) {
                out.write((int) (value >>> (8 * i)) & 0xff);
            }
        }
        return this;
    }

    PickleWriter integers(long[] values) {
        mark();
        for (long v : values) {
            integer(v);
        }
        return tuple();
    }

    /** {@code module.name}, e.g. {@code collections.OrderedDict}. */
    PickleWriter global(String module, String name) {
        out.write('c');
        out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
        return this;
    }

    /** Calls the callable below the argument tuple on the stack. */
    PickleWriter reduce() {
        out.write('R');
        return this;
    }

    /** Replaces the id on the stack with what the reader's persistent_load makes of it. */
    PickleWriter persistentId() {
        out.write('Q');
        return this;
    }

    private void int32(int value) {
        for (int i = 0; i < 4; i++) {
            out.write((value >>> (8 * i)) & 0xff);
        }
    }
}
