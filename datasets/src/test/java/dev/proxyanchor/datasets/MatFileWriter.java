package dev.proxyanchor.datasets;

import dev.proxyanchor.datasets.mat.MatArray;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.zip.DeflaterOutputStream;

/**
 * A minimal MATLAB level-5 MAT-file writer for test fixtures, following MATLAB's own conventions: little-endian
 * ("IM"), the small-element format for data of 4 bytes or less, whole-number doubles stored compactly as miUINT8 /
 * miUINT16 (class still double), chars as miUINT16, and each chosen variable in its own zlib-compressed
 * element.
 */
public final class MatFileWriter {

    private static final int MI_INT8 = 1;
    private static final int MI_UINT8 = 2;
    private static final int MI_UINT16 = 4;
    private static final int MI_INT32 = 5;
    private static final int MI_UINT32 = 6;
    private static final int MI_DOUBLE = 9;
    private static final int MI_MATRIX = 14;
    private static final int MI_COMPRESSED = 15;

    private MatFileWriter() {}

    /** The file bytes; variables named in {@code compressed} are written as miCOMPRESSED elements. */
    public static byte[] write(Map<String, MatArray> variables, Set<String> compressed) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] header = new byte[128];
        Arrays.fill(header, 0, 124, (byte) ' ');
        byte[] text = "MATLAB 5.0 MAT-file, Platform: GLNXA64, Created on: Mon Jan  1 00:00:00 2024"
                .getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(text, 0, header, 0, text.length);
        header[124] = 0x00;
        header[125] = 0x01;
        header[126] = 'I';
        header[127] = 'M';
        out.writeBytes(header);
        for (Map.Entry<String, MatArray> variable : variables.entrySet()) {
            byte[] matrix = matrix(variable.getKey(), variable.getValue());
            if (compressed.contains(variable.getKey())) {
                byte[] deflated = deflate(matrix);
                out.writeBytes(ints(MI_COMPRESSED, deflated.length));
                out.writeBytes(deflated);
            } else {
                out.writeBytes(matrix);
            }
        }
        return out.toByteArray();
    }

    private static byte[] matrix(String name, MatArray array) {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        int mxClass = array instanceof MatArray.Cell ? 1
                : array instanceof MatArray.Struct ? 2
                : array instanceof MatArray.Chars ? 4
                : 6;
        content.writeBytes(element(MI_UINT32, ints(mxClass, 0)));
        content.writeBytes(element(MI_INT32, ints(array.dims())));
        content.writeBytes(element(MI_INT8, name.getBytes(StandardCharsets.US_ASCII)));
        if (array instanceof MatArray.Numeric n) {
            content.writeBytes(numbers(n.values()));
        } else if (array instanceof MatArray.Chars c) {
            ByteBuffer chars = ByteBuffer.allocate(c.text().length() * 2).order(ByteOrder.LITTLE_ENDIAN);
            c.text().chars().forEach(ch -> chars.putChar((char) ch));
            content.writeBytes(element(MI_UINT16, chars.array()));
        } else if (array instanceof MatArray.Cell c) {
            c.cells().forEach(cell -> content.writeBytes(matrix("", cell)));
        } else if (array instanceof MatArray.Struct s) {
            int nameLength = 32;
            content.writeBytes(element(MI_INT32, ints(nameLength)));
            byte[] names = new byte[nameLength * s.fields().size()];
            for (int i = 0; i < s.fields().size(); i++) {
                byte[] field = s.fields().get(i).getBytes(StandardCharsets.US_ASCII);
                System.arraycopy(field, 0, names, i * nameLength, field.length);
            }
            content.writeBytes(element(MI_INT8, names));
            for (Map<String, MatArray> element : s.elements()) {
                for (String field : s.fields()) {
                    content.writeBytes(matrix("", element.get(field)));
                }
            }
        }
        byte[] body = content.toByteArray();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ints(MI_MATRIX, body.length));
        out.writeBytes(body);
        return out.toByteArray();
    }

    /** MATLAB's compact storage of doubles: the narrowest unsigned type that holds whole values, else miDOUBLE. */
    private static byte[] numbers(double[] values) {
        boolean whole = Arrays.stream(values).allMatch(v -> v == Math.rint(v) && v >= 0 && v <= 65535);
        if (whole && Arrays.stream(values).allMatch(v -> v <= 255)) {
            byte[] data = new byte[values.length];
            for (int i = 0; i < values.length; i++) {
                data[i] = (byte) values[i];
            }
            return element(MI_UINT8, data);
        }
        if (whole) {
            ByteBuffer data = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
            Arrays.stream(values).forEach(v -> data.putShort((short) v));
            return element(MI_UINT16, data.array());
        }
        ByteBuffer data = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        Arrays.stream(values).forEach(data::putDouble);
        return element(MI_DOUBLE, data.array());
    }

    private static byte[] element(int type, byte[] data) {
        if (data.length <= 4 && data.length > 0) {
            ByteBuffer small = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            small.putInt(data.length << 16 | type).put(data);
            return small.array();
        }
        int padded = (data.length + 7) / 8 * 8;
        ByteBuffer full = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        full.putInt(type).putInt(data.length).put(data);
        return full.array();
    }

    private static byte[] ints(int... values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) {
            buffer.putInt(v);
        }
        return buffer.array();
    }

    private static byte[] deflate(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DeflaterOutputStream deflater = new DeflaterOutputStream(out)) {
            deflater.write(data);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
