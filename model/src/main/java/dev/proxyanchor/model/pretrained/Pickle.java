package dev.proxyanchor.model.pretrained;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A strict reader for the part of Python's pickle format that PyTorch checkpoints use (protocols 2 to 4, as written
 * by Python 2 and 3): None, booleans, ints, floats, strings, tuples, lists, dicts, memo, {@code GLOBAL} references,
 * {@code REDUCE}/{@code NEWOBJ} of an allowed global, {@code BUILD} on a dict, persistent ids. Nothing is executed:
 * a global becomes a {@link Global} value, and calling one works only for the globals the caller allows (any other
 * is an error naming it). Tuples are unmodifiable lists, lists are {@link ArrayList}s, dicts {@link LinkedHashMap}s,
 * ints {@link Long} (or {@link BigInteger} past 64 bits), Python 2 byte strings are decoded as Latin-1 strings.
 */
final class Pickle {

    /** A {@code module.name} reference, the value of a {@code GLOBAL} opcode. */
    record Global(String module, String name) {
        @Override
        public String toString() {
            return module + "." + name;
        }
    }

    /** What the stream asks to call, and with which arguments. */
    interface Calls {
        /** The result of {@code global(*args)}; throws {@link IOException} for a global that is not allowed. */
        Object call(Global global, List<Object> args) throws IOException;
    }

    private static final Object MARK = new Object() {
        @Override
        public String toString() {
            return "MARK";
        }
    };

    private final InputStream in;
    private final String where;
    private final Calls calls;
    private final Function<Object, Object> persistentLoad;
    private final List<Object> stack = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();
    private long position;

    private Pickle(InputStream in, String where, Calls calls, Function<Object, Object> persistentLoad) {
        this.in = in;
        this.where = where;
        this.calls = calls;
        this.persistentLoad = persistentLoad;
    }

    /**
     * Reads one pickle from {@code in}, leaving the stream just after its STOP opcode.
     *
     * @param where          names the file (and entry) in error messages
     * @param persistentLoad resolves the value of a {@code BINPERSID}/{@code PERSID} id; null if none is expected
     */
    static Object load(InputStream in, String where, Calls calls, Function<Object, Object> persistentLoad)
            throws IOException {
        return new Pickle(in, where, calls, persistentLoad).run();
    }

    private Object run() throws IOException {
        while (true) {
            long at = position;
            int op = u8();
            switch (op) {
                case 0x80 -> u8(); // PROTO
                case 0x95 -> bytes(8); // FRAME: only a read-ahead hint
                case '.' -> {
                    if (stack.size() != 1) {
                        throw error(at, "STOP with " + stack.size() + " values on the stack");
                    }
                    return stack.get(0);
                }
                case '(' -> push(MARK);
                case '0' -> pop();
                case '1' -> popMark();
                case '2' -> push(peek());
                case 'N' -> push(null);
                case 0x88 -> push(Boolean.TRUE);
                case 0x89 -> push(Boolean.FALSE);
                case 'J' -> push((long) le(4, true));
                case 'K' -> push((long) u8());
                case 'M' -> push((long) le(2, false));
                case 0x8a -> push(longN(u8()));
                case 0x8b -> push(longN(checkedLength(le(4, true), at)));
                case 'I' -> push(parseIntLine(line(), at));
                case 'L' -> push(normalise(new BigInteger(stripSuffix(line(), "L"))));
                case 'G' -> push(Double.longBitsToDouble(be8()));
                case 'X' -> push(utf8(checkedLength(le(4, false), at)));
                case 0x8c -> push(utf8(u8()));
                case 0x8d -> push(utf8(checkedLength(le(8, false), at)));
                case 'T' -> push(latin1(checkedLength(le(4, true), at)));
                case 'U' -> push(latin1(u8()));
                case 'B' -> push(bytes(checkedLength(le(4, false), at)));
                case 'C' -> push(bytes(u8()));
                case ')' -> push(Collections.unmodifiableList(new ArrayList<>()));
                case 't' -> push(Collections.unmodifiableList(popMark()));
                case 0x85 -> push(tuple(1));
                case 0x86 -> push(tuple(2));
                case 0x87 -> push(tuple(3));
                case ']' -> push(new ArrayList<>());
                case 'l' -> push(new ArrayList<>(popMark()));
                case '}' -> push(new LinkedHashMap<>());
                case 'd' -> {
                    List<Object> items = popMark();
                    Map<Object, Object> dict = new LinkedHashMap<>();
                    putAll(dict, items, at);
                    push(dict);
                }
                case 'a' -> {
                    Object item = pop();
                    list(peek(), at).add(item);
                }
                case 'e' -> {
                    List<Object> items = popMark();
                    list(peek(), at).addAll(items);
                }
                case 's' -> {
                    Object value = pop();
                    Object key = pop();
                    dict(peek(), at).put(key, value);
                }
                case 'u' -> {
                    List<Object> items = popMark();
                    putAll(dict(peek(), at), items, at);
                }
                case 'q' -> memo.put((long) u8(), peek());
                case 'r' -> memo.put(le(4, false), peek());
                case 'p' -> memo.put(parseIntLine(line(), at), peek());
                case 0x94 -> memo.put((long) memo.size(), peek());
                case 'h' -> push(memoGet((long) u8(), at));
                case 'j' -> push(memoGet(le(4, false), at));
                case 'g' -> push(memoGet(parseIntLine(line(), at), at));
                case 'c' -> push(new Global(line(), line()));
                case 0x93 -> {
                    Object name = pop();
                    Object module = pop();
                    push(new Global(string(module, at), string(name, at)));
                }
                case 'R', 0x81 -> {
                    Object args = pop();
                    Object callable = pop();
                    if (!(callable instanceof Global global) || !(args instanceof List<?> arguments)) {
                        throw error(at, "call of " + describe(callable) + " with " + describe(args));
                    }
                    @SuppressWarnings("unchecked")
                    List<Object> typed = (List<Object>) arguments;
                    push(calls.call(global, typed));
                }
                case 'b' -> {
                    Object state = pop();
                    Object target = peek();
                    // OrderedDict state_dicts carry their module versions as an attribute (_metadata); nothing to keep.
                    if (!(target instanceof Map<?, ?>)) {
                        throw error(at, "BUILD (setting the state of an object) on " + describe(target)
                                + " with " + describe(state));
                    }
                }
                case 'Q' -> {
                    Object id = pop();
                    if (persistentLoad == null) {
                        throw error(at, "a persistent id where none is expected");
                    }
                    push(persistentLoad.apply(id));
                }
                default -> throw error(at, String.format("opcode 0x%02x ('%s'), which PyTorch state_dict files do not use",
                        op, op >= 32 && op < 127 ? Character.toString(op) : "?"));
            }
        }
    }

    private IOException error(long at, String what) {
        return new IOException(where + ": unsupported pickle content at byte " + at + ": " + what
                + ". Expected a PyTorch state_dict saved with torch.save(model.state_dict(), path).");
    }

    private static String describe(Object o) {
        if (o == null) {
            return "None";
        }
        if (o instanceof Global) {
            return o.toString();
        }
        return o.getClass().getSimpleName();
    }

    private void push(Object o) {
        stack.add(o);
    }

    private Object pop() throws IOException {
        if (stack.isEmpty()) {
            throw error(position, "pop from an empty stack");
        }
        Object o = stack.remove(stack.size() - 1);
        if (o == MARK) {
            throw error(position, "a MARK where a value was expected");
        }
        return o;
    }

    private Object peek() throws IOException {
        if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK) {
            throw error(position, "no value on the stack");
        }
        return stack.get(stack.size() - 1);
    }

    private List<Object> popMark() throws IOException {
        int mark = stack.lastIndexOf(MARK);
        if (mark < 0) {
            throw error(position, "no MARK on the stack");
        }
        List<Object> items = new ArrayList<>(stack.subList(mark + 1, stack.size()));
        stack.subList(mark, stack.size()).clear();
        return items;
    }

    private List<Object> tuple(int n) throws IOException {
        Object[] items = new Object[n];
        for (int i = n - 1; i >= 0; i--) {
            items[i] = pop();
        }
        return Collections.unmodifiableList(java.util.Arrays.asList(items));
    }

    private Object memoGet(long key, long at) throws IOException {
        if (!memo.containsKey(key)) {
            throw error(at, "memo entry " + key + " read before it was written");
        }
        return memo.get(key);
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object o, long at) throws IOException {
        if (o instanceof ArrayList<?> list) {
            return (List<Object>) list;
        }
        throw error(at, "APPEND to " + describe(o));
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dict(Object o, long at) throws IOException {
        if (o instanceof Map<?, ?> map) {
            return (Map<Object, Object>) map;
        }
        throw error(at, "SETITEM on " + describe(o));
    }

    private void putAll(Map<Object, Object> dict, List<Object> items, long at) throws IOException {
        if (items.size() % 2 != 0) {
            throw error(at, "odd number of dict items");
        }
        for (int i = 0; i < items.size(); i += 2) {
            dict.put(items.get(i), items.get(i + 1));
        }
    }

    private String string(Object o, long at) throws IOException {
        if (o instanceof String s) {
            return s;
        }
        throw error(at, "a string expected, found " + describe(o));
    }

    private int u8() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException(where + ": the pickle ends early at byte " + position + " (truncated file?)");
        }
        position++;
        return b;
    }

    private byte[] bytes(long n) throws IOException {
        byte[] b = in.readNBytes((int) n);
        if (b.length != n) {
            throw new EOFException(where + ": the pickle ends early at byte " + (position + b.length)
                    + " (truncated file?)");
        }
        position += n;
        return b;
    }

    /** Little-endian integer of {@code n} bytes. */
    private long le(int n, boolean signed) throws IOException {
        byte[] b = bytes(n);
        long v = 0;
        for (int i = n - 1; i >= 0; i--) {
            v = (v << 8) | (b[i] & 0xff);
        }
        if (signed && n < 8 && (b[n - 1] & 0x80) != 0) {
            v -= 1L << (8 * n);
        }
        return v;
    }

    private long be8() throws IOException {
        byte[] b = bytes(8);
        long v = 0;
        for (byte x : b) {
            v = (v << 8) | (x & 0xff);
        }
        return v;
    }

    private int checkedLength(long n, long at) throws IOException {
        if (n < 0 || n > Integer.MAX_VALUE - 16) {
            throw error(at, "length " + n);
        }
        return (int) n;
    }

    /** LONG1/LONG4: two's complement little-endian of {@code n} bytes. */
    private Object longN(int n) throws IOException {
        byte[] b = bytes(n);
        byte[] be = new byte[Math.max(n, 1)];
        for (int i = 0; i < n; i++) {
            be[n - 1 - i] = b[i];
        }
        return normalise(n == 0 ? BigInteger.ZERO : new BigInteger(be));
    }

    private static Object normalise(BigInteger v) {
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    private String line() throws IOException {
        StringBuilder s = new StringBuilder();
        for (int b = u8(); b != '\n'; b = u8()) {
            s.append((char) b);
        }
        return s.toString();
    }

    private long parseIntLine(String line, long at) throws IOException {
        String s = line.trim();
        if (s.equals("00")) {
            return 0;
        }
        if (s.equals("01")) {
            return 1;
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw error(at, "integer '" + line + "'");
        }
    }

    private static String stripSuffix(String s, String suffix) {
        return s.endsWith(suffix) ? s.substring(0, s.length() - suffix.length()) : s;
    }

    private String utf8(int n) throws IOException {
        return new String(bytes(n), StandardCharsets.UTF_8);
    }

    private String latin1(int n) throws IOException {
        return new String(bytes(n), StandardCharsets.ISO_8859_1);
    }
}
