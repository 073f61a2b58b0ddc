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

    /** Resolves the value of a persistent id ({@code BINPERSID}). */
    interface PersistentLoad {
        Object load(Object id) throws IOException;
    }

    private static final List<Object> EMPTY_TUPLE = List.of();
    private static final int MAX_KEY_DEPTH = 8;

    private static final Object MARK = new Object() {
        @Override
        public String toString() {
            return "MARK";
        }
    };

    private final InputStream in;
    private final String where;
    private final Calls calls;
    private final PersistentLoad persistentLoad;
    private final long maxBytes;
    private final List<Object> stack = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();
    private long position;

    private Pickle(InputStream in, String where, Calls calls, PersistentLoad persistentLoad, long maxBytes) {
        this.in = in;
        this.where = where;
        this.calls = calls;
        this.persistentLoad = persistentLoad;
        this.maxBytes = maxBytes;
    }

    /**
     * Reads one pickle from {@code in}, leaving the stream just after its STOP opcode.
     *
     * @param where          names the file (and entry) in error messages
     * @param persistentLoad resolves the value of a {@code BINPERSID}/{@code PERSID} id; null if none is expected
     * @param maxBytes       the longest pickle accepted: what a pickle builds grows with its length, so this bounds
     *                       the memory a hostile file can make the reader use
     */
    static Object load(InputStream in, String where, Calls calls, PersistentLoad persistentLoad, long maxBytes)
            throws IOException {
        return new Pickle(in, where, calls, persistentLoad, maxBytes).run();
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
                case 'L' -> push(parseLongLine(line(), at));
                case 'G' -> push(Double.longBitsToDouble(be8()));
                case 'X' -> push(utf8(checkedLength(le(4, false), at)));
                case 0x8c -> push(utf8(u8()));
                case 0x8d -> push(utf8(checkedLength(le(8, false), at)));
                case 'T' -> push(latin1(checkedLength(le(4, true), at)));
                case 'U' -> push(latin1(u8()));
                case 'B' -> push(bytes(checkedLength(le(4, false), at)));
                case 'C' -> push(bytes(u8()));
                case ')' -> push(EMPTY_TUPLE);
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
                    dict(peek(), at).put(hashable(key, at), value);
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
                    try {
                        push(calls.call(global, typed));
                    } catch (IOException e) {
                        throw error(at, e.getMessage());
                    }
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
                    push(persistentLoad.load(id));
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
            return printable(o.toString(), 80);
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
            dict.put(hashable(items.get(i), at), items.get(i + 1));
        }
    }

    private String string(Object o, long at) throws IOException {
        if (o instanceof String s) {
            return s;
        }
        throw error(at, "a string expected, found " + describe(o));
    }

    private int u8() throws IOException {
        checkLength(1);
        int b = in.read();
        if (b < 0) {
            throw new EOFException(where + ": the pickle ends early at byte " + position + " (truncated file?)");
        }
        position++;
        return b;
    }

    private byte[] bytes(long n) throws IOException {
        checkLength(n);
        byte[] b = in.readNBytes((int) n);
        if (b.length != n) {
            throw new EOFException(where + ": the pickle ends early at byte " + (position + b.length)
                    + " (truncated file?)");
        }
        position += n;
        return b;
    }

    private void checkLength(long n) throws IOException {
        if (position + n > maxBytes) {
            throw new IOException(where + ": the pickle runs past " + maxBytes + " bytes without ending, far longer"
                    + " than a state_dict's (corrupt file, or not a PyTorch checkpoint)");
        }
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

    /**
     * {@code key} if Python could hash it (a scalar, or a tuple of hashable values, nested at most
     * {@value #MAX_KEY_DEPTH} deep): Java would compute the hash of a list, which may contain itself, without end.
     */
    private Object hashable(Object key, long at) throws IOException {
        if (!isHashable(key, 0)) {
            throw error(at, "a dict key that is not a string, number or tuple of those: " + show(key));
        }
        return key;
    }

    private static boolean isHashable(Object key, int depth) {
        if (key == null || key instanceof String || key instanceof Long || key instanceof BigInteger
                || key instanceof Double || key instanceof Boolean || key instanceof Global) {
            return true;
        }
        if (!(key instanceof List<?> tuple) || key instanceof ArrayList<?> || depth >= MAX_KEY_DEPTH) {
            return false;
        }
        for (Object item : tuple) {
            if (!isHashable(item, depth + 1)) {
                return false;
            }
        }
        return true;
    }

    /**
     * A short, one-line, printable rendering of a value read from a file, for error messages: strings escaped and
     * cut, containers to depth 2 and 5 items (values may contain themselves).
     */
    static String show(Object o) {
        StringBuilder s = new StringBuilder();
        show(o, 0, s);
        return s.toString();
    }

    private static void show(Object o, int depth, StringBuilder s) {
        if (o instanceof String str) {
            s.append('\'').append(printable(str, 60)).append('\'');
        } else if (o instanceof List<?> list) {
            showItems(list, list instanceof ArrayList<?> ? "[]" : "()", depth, s);
        } else if (o instanceof Map<?, ?> map) {
            showItems(new ArrayList<>(map.keySet()), "{}", depth, s);
        } else if (o == null) {
            s.append("None");
        } else if (o instanceof Long || o instanceof Double || o instanceof Boolean || o instanceof Global) {
            s.append(printable(o.toString(), 60));
        } else if (o instanceof BigInteger big) {
            s.append(big.bitLength()).append("-bit integer");
        } else {
            s.append(o.getClass().getSimpleName());
        }
    }

    private static void showItems(List<?> items, String brackets, int depth, StringBuilder s) {
        s.append(brackets.charAt(0));
        if (depth >= 2 && !items.isEmpty()) {
            s.append("...");
        } else {
            for (int i = 0; i < Math.min(items.size(), 5); i++) {
                s.append(i > 0 ? ", " : "");
                show(items.get(i), depth + 1, s);
            }
            if (items.size() > 5) {
                s.append(", ... ").append(items.size() - 5).append(" more");
            }
        }
        s.append(brackets.charAt(1));
    }

    /** {@code text} on one line: control characters and line separators escaped, cut to {@code max} characters. */
    static String printable(String text, int max) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < text.length() && s.length() < max; i++) {
            char c = text.charAt(i);
            if (!Character.isISOControl(c) && c != '\u2028' && c != '\u2029') {
                s.append(c);
            } else {
                s.append(String.format("\\u%04x", (int) c));
            }
        }
        return s.length() < max || text.length() <= max ? s.toString() : s + "...";
    }

    private Object parseLongLine(String line, long at) throws IOException {
        try {
            return normalise(new BigInteger(stripSuffix(line.trim(), "L")));
        } catch (NumberFormatException e) {
            throw error(at, "integer '" + printable(line, 40) + "'");
        }
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
            throw error(at, "integer '" + printable(line, 40) + "'");
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
