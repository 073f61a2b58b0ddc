package dev.proxyanchor.spark.io;

import dev.proxyanchor.model.UserInputException;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The header of a NumPy {@code .npy} file (format versions 1.0 to 3.0): element type, byte order, memory order and
 * shape, and where the data starts. Strict: anything {@code numpy.save} would not write for a plain numeric array
 * is refused with a message.
 */
public final class NpyHeader implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([<>|])([a-z])(\\d+)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");
    private static final Pattern DIMENSION = Pattern.compile("\\d{1,18}");
    /** numpy.load refuses longer headers by default ({@code max_header_size}); so do we, before allocating. */
    static final int MAX_HEADER_BYTES = 10_000;

    private final char kind;
    private final int itemBytes;
    private final boolean littleEndian;
    private final long[] shape;
    private final long dataOffset;

    private NpyHeader(char kind, int itemBytes, boolean littleEndian, long[] shape, long dataOffset) {
        this.kind = kind;
        this.itemBytes = itemBytes;
        this.littleEndian = littleEndian;
        this.shape = shape;
        this.dataOffset = dataOffset;
    }

    /**
     * Reads the header from the start of {@code in}, a file of {@code fileBytes} bytes; {@code file} names it in
     * messages. Nothing is allocated beyond {@link #MAX_HEADER_BYTES} and what the file holds.
     */
    public static NpyHeader read(InputStream in, long fileBytes, String file) throws IOException {
        DataInputStream data = new DataInputStream(in);
        try {
            byte[] magic = new byte[MAGIC.length];
            data.readFully(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new UserInputException(file + " is not a NumPy .npy file (it does not start with \\x93NUMPY); "
                        + "save arrays with numpy.save");
            }
            int major = data.readUnsignedByte();
            data.readUnsignedByte();
            long headerLength;
            int prefix;
            if (major == 1) {
                headerLength = Short.toUnsignedInt(Short.reverseBytes(data.readShort()));
                prefix = 10;
            } else if (major == 2 || major == 3) {
                headerLength = Integer.toUnsignedLong(Integer.reverseBytes(data.readInt()));
                prefix = 12;
            } else {
                throw new UserInputException(file + " is .npy format version " + major + ", expected 1, 2 or 3");
            }
            if (headerLength > MAX_HEADER_BYTES || prefix + headerLength > fileBytes) {
                throw new UserInputException(file + " declares a .npy header of " + headerLength + " bytes in a file"
                        + " of " + fileBytes + "; numpy.save writes a few hundred: the file is corrupt or truncated");
            }
            byte[] text = new byte[(int) headerLength];
            data.readFully(text);
            return parse(new String(text, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1),
                    prefix + headerLength, file);
        } catch (EOFException e) {
            throw new UserInputException(file + " is truncated: it ends inside its .npy header", e);
        }
    }

    static NpyHeader parse(String dict, long dataOffset, String file) {
        Matcher descr = DESCR.matcher(dict);
        Matcher fortran = FORTRAN.matcher(dict);
        Matcher shape = SHAPE.matcher(dict);
        if (!descr.find() || !fortran.find() || !shape.find()) {
            throw new UserInputException(file + " has an unreadable .npy header " + dict.strip() + "; expected a "
                    + "plain numeric array ('descr', 'fortran_order' and 'shape')");
        }
        if (fortran.group(1).equals("True")) {
            throw new UserInputException(file + " is stored in Fortran order; save "
                    + "numpy.ascontiguousarray(array) instead");
        }
        char kind = descr.group(2).charAt(0);
        int bytes = Integer.parseInt(descr.group(3));
        if ("fiu".indexOf(kind) < 0 || (kind == 'f' && bytes != 4 && bytes != 8)
                || (kind != 'f' && bytes != 1 && bytes != 2 && bytes != 4 && bytes != 8)) {
            throw new UserInputException(file + " holds elements of type " + descr.group(1) + kind + bytes
                    + "; expected float32/float64 (or integers for labels)");
        }
        long[] sizes = Arrays.stream(shape.group(1).split(",")).map(String::strip).filter(d -> !d.isEmpty())
                .mapToLong(d -> dimension(d, shape.group(0), file)).toArray();
        return new NpyHeader(kind, bytes, !descr.group(1).equals(">"), sizes, dataOffset);
    }

    private static long dimension(String text, String shape, String file) {
        if (!DIMENSION.matcher(text).matches()) {
            throw new UserInputException(file + " has the shape " + shape + " in its .npy header; expected "
                    + "non-negative integers");
        }
        return Long.parseLong(text);
    }

    /**
     * Bytes of data the header declares, checked against the file's {@code fileBytes} before anything is
     * allocated: a shape whose product overflows, or more data than the file holds, is refused.
     */
    public long requireDataIn(long fileBytes, String file) {
        long bytes = itemBytes;
        for (long d : shape) {
            bytes = d == 0 ? 0 : bytes > Long.MAX_VALUE / d ? Long.MAX_VALUE : bytes * d;
        }
        long needed = bytes == Long.MAX_VALUE ? Long.MAX_VALUE : dataOffset + bytes;
        if (needed > fileBytes) {
            throw new UserInputException(file + " is " + fileBytes + " bytes but its header (" + describe()
                    + ") needs " + (needed == Long.MAX_VALUE ? "more than 2^63" : String.valueOf(needed))
                    + "; the file is truncated or its header is corrupt");
        }
        return bytes;
    }

    /**
     * Writes a version 1.0 header as {@code numpy.save} does (little-endian, C order, padded with spaces to a
     * multiple of 64 bytes); {@code descr} as numpy spells it, e.g. {@code <f4}.
     */
    public static void write(OutputStream out, String descr, long... shape) throws IOException {
        String dims = Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining(", "));
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + dims
                + (shape.length == 1 ? "," : "") + "), }";
        int unpadded = MAGIC.length + 4 + dict.length() + 1;
        String text = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
        DataOutputStream data = new DataOutputStream(out);
        data.write(MAGIC);
        data.writeByte(1);
        data.writeByte(0);
        data.writeShort(Short.reverseBytes((short) text.length()));
        data.write(text.getBytes(StandardCharsets.ISO_8859_1));
        data.flush();
    }

    /** {@code f} (float), {@code i} (signed) or {@code u} (unsigned integer). */
    public char kind() {
        return kind;
    }

    public int itemBytes() {
        return itemBytes;
    }

    public ByteOrder byteOrder() {
        return littleEndian ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
    }

    public long[] shape() {
        return shape.clone();
    }

    /** Byte offset of the first element. */
    public long dataOffset() {
        return dataOffset;
    }

    public String describe() {
        return (kind == 'f' ? "float" : kind == 'i' ? "int" : "uint") + (itemBytes * 8) + " array of shape "
                + Arrays.toString(shape);
    }
}
