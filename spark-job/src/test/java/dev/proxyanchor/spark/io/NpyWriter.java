package dev.proxyanchor.spark.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes .npy files byte by byte as numpy.save does (version 1.0 header padded to 64 bytes), for fixtures. */
final class NpyWriter {

    private NpyWriter() {
    }

    static void write(Path file, String descr, String shape, ByteBuffer data, boolean fortran) throws IOException {
        String dict = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False")
                + ", 'shape': " + shape + ", }";
        int unpadded = 10 + dict.length() + 1;
        String header = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
        ByteBuffer out = ByteBuffer.allocate(10 + header.length() + data.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        out.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        out.putShort((short) header.length()).put(header.getBytes(StandardCharsets.US_ASCII)).put(data);
        Files.write(file, out.array());
    }

    static ByteBuffer floats32(ByteOrder order, float[][] rows) {
        ByteBuffer b = ByteBuffer.allocate(rows.length * rows[0].length * 4).order(order);
        for (float[] row : rows) {
            for (float v : row) {
                b.putFloat(v);
            }
        }
        return b.flip();
    }

    static ByteBuffer floats64(float[][] rows) {
        ByteBuffer b = ByteBuffer.allocate(rows.length * rows[0].length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (float[] row : rows) {
            for (float v : row) {
                b.putDouble(v);
            }
        }
        return b.flip();
    }

    static ByteBuffer longs(int... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) {
            b.putLong(v);
        }
        return b.flip();
    }
}
