package dev.proxyanchor.datasets.mat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.InflaterInputStream;

/**
 * Reads the variables of a MATLAB level-5 MAT-file (what MATLAB writes by default up to {@code -v7}, and what
 * {@code scipy.io.loadmat} reads): numeric, logical, char, struct and cell arrays, including zlib-compressed elements
 * and the small-element format. Sparse arrays, objects and the HDF5-based v7.3 format are not supported.
 *
 * <p>The bytes are untrusted: every length is checked against the bytes that hold it before anything is allocated,
 * cell and struct counts against the bytes left (each element takes at least an 8-byte tag), nesting is capped at
 * {@value #MAX_DEPTH} levels, and compressed elements may inflate to {@value #MAX_INFLATED_MIB} MiB in all (the
 * Cars-196 annotations inflate to a few MB), so a hostile file ends in a {@link MatFormatException}, never in an
 * OutOfMemoryError or a StackOverflowError.
 */
public final class MatFileReader {

    private static final int HEADER_BYTES = 128;
    private static final int TAG_BYTES = 8;
    static final int MAX_DEPTH = 32;
    static final int MAX_INFLATED_MIB = 64;

    private static final int MI_INT8 = 1;
    private static final int MI_UINT8 = 2;
    private static final int MI_INT16 = 3;
    private static final int MI_UINT16 = 4;
    private static final int MI_INT32 = 5;
    private static final int MI_UINT32 = 6;
    private static final int MI_SINGLE = 7;
    private static final int MI_DOUBLE = 9;
    private static final int MI_INT64 = 12;
    private static final int MI_UINT64 = 13;
    private static final int MI_MATRIX = 14;
    private static final int MI_COMPRESSED = 15;
    private static final int MI_UTF8 = 16;
    private static final int MI_UTF16 = 17;

    private static final int MX_CELL = 1;
    private static final int MX_STRUCT = 2;
    private static final int MX_CHAR = 4;
    private static final int MX_FIRST_NUMERIC = 6;
    private static final int MX_LAST_NUMERIC = 15;

    private final String source;
    private long inflateBudget = (long) MAX_INFLATED_MIB << 20;

    private MatFileReader(String source) {
        this.source = source;
    }

    /**
     * The named variables of a MAT-file, in file order.
     *
     * @param source the file's name, for messages
     * @throws MatFormatException when the bytes are not a MAT-file this reader understands
     */
    public static Map<String, MatArray> read(byte[] bytes, String source) {
        return new MatFileReader(source).readFile(bytes);
    }

    private Map<String, MatArray> readFile(byte[] bytes) {
        String text = new String(bytes, 0, Math.min(bytes.length, 116), StandardCharsets.US_ASCII);
        if (text.startsWith("MATLAB 7.3")) {
            throw fail("is a MATLAB v7.3 (HDF5) file; save it again with save(..., '-v7') to get a level-5 file");
        }
        if (bytes.length < HEADER_BYTES || !text.startsWith("MATLAB 5.0 MAT-file")) {
            throw fail("is not a MATLAB level-5 MAT-file (its 128-byte header does not start with "
                    + "'MATLAB 5.0 MAT-file')");
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        buffer.order(bytes[126] == 'I' && bytes[127] == 'M' ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        buffer.position(HEADER_BYTES);
        Map<String, MatArray> variables = new LinkedHashMap<>();
        try {
            while (buffer.remaining() >= 8) {
                readVariable(buffer, variables);
            }
        } catch (BufferUnderflowException | IndexOutOfBoundsException | IllegalArgumentException e) {
            throw fail("is truncated or corrupt (an element runs past the end of its data)");
        }
        return variables;
    }

    private void readVariable(ByteBuffer buffer, Map<String, MatArray> variables) {
        Element element = nextElement(buffer);
        ByteBuffer data = element.data();
        int type = element.type();
        if (type == MI_COMPRESSED) {
            ByteBuffer inflated = ByteBuffer.wrap(inflate(data)).order(buffer.order());
            Element inner = nextElement(inflated);
            data = inner.data();
            type = inner.type();
        }
        if (type != MI_MATRIX) {
            throw fail("has a top-level element of type " + type + " where a matrix (type 14) was expected");
        }
        NamedArray named = readMatrix(data, 0);
        variables.put(named.name(), named.array());
    }

    private record Element(int type, ByteBuffer data) {}

    private record NamedArray(String name, MatArray array) {}

    /** The next tagged element; the buffer is left after it and its padding to 8 bytes. */
    private Element nextElement(ByteBuffer buffer) {
        int start = buffer.position();
        int first = buffer.getInt();
        int type;
        long length;
        long dataStart;
        long end;
        if ((first >>> 16) != 0) {
            // Small data element: up to 4 bytes of data packed into the tag itself.
            type = first & 0xFFFF;
            length = first >>> 16;
            dataStart = start + 4L;
            end = start + 8L;
            if (length > 4) {
                throw new BufferUnderflowException();
            }
        } else {
            type = first;
            length = Integer.toUnsignedLong(buffer.getInt());
            dataStart = start + 8L;
            // Compressed elements are not padded; all others are padded to a multiple of 8 bytes.
            end = dataStart + (type == MI_COMPRESSED ? length : (length + 7) / 8 * 8);
        }
        if (dataStart + length > buffer.limit()) {
            throw new BufferUnderflowException();
        }
        ByteBuffer data = buffer.duplicate().position((int) dataStart).limit((int) (dataStart + length)).slice()
                .order(buffer.order());
        buffer.position((int) Math.min(end, buffer.limit()));
        return new Element(type, data);
    }

    private NamedArray readMatrix(ByteBuffer data, int depth) {
        if (!data.hasRemaining()) {
            return new NamedArray("", new MatArray.Numeric(new int[] {0, 0}, new double[0]));
        }
        if (depth > MAX_DEPTH) {
            throw fail("nests cells or structs more than " + MAX_DEPTH + " levels deep");
        }
        int flags = nextElement(data).data().getInt(0);
        int mxClass = flags & 0xFF;
        int[] dims = ints(nextElement(data));
        String name = text(nextElement(data));
        MatArray array;
        if (mxClass == MX_CELL) {
            int count = elementCount(dims, 1, data, name);
            List<MatArray> cells = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                cells.add(readMatrix(nextElement(data).data(), depth + 1).array());
            }
            array = new MatArray.Cell(dims, cells);
        } else if (mxClass == MX_STRUCT) {
            array = readStruct(data, dims, name, depth);
        } else if (mxClass == MX_CHAR) {
            array = new MatArray.Chars(dims, chars(nextElement(data)));
        } else if (mxClass >= MX_FIRST_NUMERIC && mxClass <= MX_LAST_NUMERIC) {
            array = new MatArray.Numeric(dims, numbers(nextElement(data), name));
        } else {
            throw fail("variable or field '" + name + "' has MATLAB class " + mxClass
                    + " (sparse or object), which this reader does not support");
        }
        return new NamedArray(name, array);
    }

    /**
     * The number of elements {@code dims} declares, each holding {@code valuesPerElement} tagged values, checked
     * against the bytes left in {@code data} before any list of that size is allocated.
     */
    private int elementCount(int[] dims, int valuesPerElement, ByteBuffer data, String name) {
        long count = 1;
        for (int d : dims) {
            if (d < 0) {
                throw fail("variable or field '" + name + "' has the negative dimension " + d);
            }
            count = Math.min(count * d, Integer.MAX_VALUE);
        }
        if (count * valuesPerElement > data.remaining() / TAG_BYTES) {
            throw fail("variable or field '" + name + "' declares " + count + " elements"
                    + (valuesPerElement > 1 ? " of " + valuesPerElement + " fields" : "") + " in "
                    + data.remaining() + " bytes; it is truncated or corrupt");
        }
        return (int) count;
    }

    private MatArray.Struct readStruct(ByteBuffer data, int[] dims, String name, int depth) {
        int nameLength = ints(nextElement(data))[0];
        byte[] packedNames = bytes(nextElement(data));
        if (nameLength <= 0 || packedNames.length % nameLength != 0) {
            throw fail("struct '" + name + "' has a malformed field name table");
        }
        List<String> fields = new ArrayList<>();
        for (int offset = 0; offset < packedNames.length; offset += nameLength) {
            int end = offset;
            while (end < offset + nameLength && packedNames[end] != 0) {
                end++;
            }
            fields.add(new String(packedNames, offset, end - offset, StandardCharsets.US_ASCII));
        }
        int count = elementCount(dims, Math.max(1, fields.size()), data, name);
        List<Map<String, MatArray>> elements = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Map<String, MatArray> element = new LinkedHashMap<>();
            for (String field : fields) {
                element.put(field, readMatrix(nextElement(data).data(), depth + 1).array());
            }
            elements.add(element);
        }
        return new MatArray.Struct(dims, List.copyOf(fields), elements);
    }

    private static int[] ints(Element element) {
        ByteBuffer data = element.data();
        int[] values = new int[data.remaining() / 4];
        for (int i = 0; i < values.length; i++) {
            values[i] = data.getInt(i * 4);
        }
        return values;
    }

    private static byte[] bytes(Element element) {
        byte[] bytes = new byte[element.data().remaining()];
        element.data().duplicate().get(bytes);
        return bytes;
    }

    private static String text(Element element) {
        return new String(bytes(element), StandardCharsets.US_ASCII);
    }

    private String chars(Element element) {
        ByteBuffer data = element.data();
        return switch (element.type()) {
            case MI_UTF8, MI_UINT8, MI_INT8 -> new String(bytes(element), StandardCharsets.UTF_8);
            case MI_UINT16, MI_UTF16 -> {
                StringBuilder text = new StringBuilder(data.remaining() / 2);
                for (int i = 0; i + 1 < data.remaining(); i += 2) {
                    text.append(data.getChar(i));
                }
                yield text.toString();
            }
            default -> throw fail("has character data of element type " + element.type());
        };
    }

    private double[] numbers(Element element, String name) {
        ByteBuffer data = element.data();
        int type = element.type();
        int width = switch (type) {
            case MI_INT8, MI_UINT8 -> 1;
            case MI_INT16, MI_UINT16 -> 2;
            case MI_INT32, MI_UINT32, MI_SINGLE -> 4;
            case MI_DOUBLE, MI_INT64, MI_UINT64 -> 8;
            default -> throw fail("numeric array '" + name + "' has data of element type " + type);
        };
        double[] values = new double[data.remaining() / width];
        for (int i = 0; i < values.length; i++) {
            int at = i * width;
            values[i] = switch (type) {
                case MI_INT8 -> data.get(at);
                case MI_UINT8 -> data.get(at) & 0xFF;
                case MI_INT16 -> data.getShort(at);
                case MI_UINT16 -> data.getShort(at) & 0xFFFF;
                case MI_INT32 -> data.getInt(at);
                case MI_UINT32 -> data.getInt(at) & 0xFFFFFFFFL;
                case MI_SINGLE -> data.getFloat(at);
                case MI_DOUBLE -> data.getDouble(at);
                case MI_INT64 -> data.getLong(at);
                default -> unsignedToDouble(data.getLong(at));
            };
        }
        return values;
    }

    private static double unsignedToDouble(long value) {
        return value >= 0 ? value : (double) (value >>> 1) * 2 + (value & 1);
    }

    /** Inflates one compressed element within what is left of the file's inflation budget. */
    private byte[] inflate(ByteBuffer compressed) {
        byte[] input = new byte[compressed.remaining()];
        compressed.duplicate().get(input);
        try (InflaterInputStream in = new InflaterInputStream(new ByteArrayInputStream(input))) {
            // readNBytes grows its buffer with what actually inflates, up to the budget plus one byte.
            byte[] inflated = in.readNBytes((int) Math.min(inflateBudget + 1, Integer.MAX_VALUE - 16));
            if (inflated.length > inflateBudget) {
                throw fail("has compressed elements that inflate to more than " + MAX_INFLATED_MIB + " MiB; "
                        + "annotation files are a few MB, so this one is corrupt or hostile");
            }
            inflateBudget -= inflated.length;
            return inflated;
        } catch (IOException e) {
            throw new MatFormatException(source + " has a compressed element that does not inflate: "
                    + e.getMessage(), e);
        }
    }

    private MatFormatException fail(String what) {
        return new MatFormatException(source + " " + what + ".");
    }
}
