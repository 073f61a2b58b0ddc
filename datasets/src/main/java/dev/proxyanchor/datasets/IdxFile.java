package dev.proxyanchor.datasets;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.zip.GZIPInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * An idx file (the MNIST / Fashion-MNIST format: a magic number giving the element type and the number of
 * dimensions, the dimensions, then the unsigned bytes), gzip-compressed when its name ends in {@code .gz}.
 *
 * @param dims the dimensions, e.g. {@code [10000, 28, 28]} for images or {@code [10000]} for labels
 * @param data the unsigned bytes, row-major; empty when only the header was read
 */
public record IdxFile(int[] dims, byte[] data) {

    private static final int UNSIGNED_BYTE = 0x08;

    /** Reads the whole file; it must hold unsigned bytes in {@code dimensions} dimensions. */
    public static IdxFile read(FileSystem fs, Path file, int dimensions) {
        return read(fs, file, dimensions, true);
    }

    /** Reads only the dimensions, which is enough to check a file without decompressing it all. */
    public static IdxFile readHeader(FileSystem fs, Path file, int dimensions) {
        return read(fs, file, dimensions, false);
    }

    /** The number of entries (images or labels). */
    public int count() {
        return dims[0];
    }

    /** The number of bytes of one entry: rows x columns for images, 1 for labels. */
    public int entryBytes() {
        int bytes = 1;
        for (int i = 1; i < dims.length; i++) {
            bytes *= dims[i];
        }
        return bytes;
    }

    private static IdxFile read(FileSystem fs, Path file, int dimensions, boolean withData) {
        try (InputStream raw = fs.open(file);
                DataInputStream in = new DataInputStream(
                        file.getName().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw)) {
            int magic = in.readInt();
            if ((magic >>> 16) != 0 || ((magic >>> 8) & 0xFF) != UNSIGNED_BYTE || (magic & 0xFF) != dimensions) {
                throw new DatasetException(file + " is not an idx file of unsigned bytes in " + dimensions
                        + " dimensions (magic number 0x" + Integer.toHexString(magic) + ", expected 0x"
                        + Integer.toHexString(UNSIGNED_BYTE << 8 | dimensions) + ").");
            }
            int[] dims = new int[dimensions];
            long total = 1;
            for (int i = 0; i < dimensions; i++) {
                dims[i] = in.readInt();
                total *= dims[i];
            }
            if (!withData) {
                return new IdxFile(dims, new byte[0]);
            }
            if (total > Integer.MAX_VALUE - 16) {
                throw new DatasetException(file + " declares " + total + " bytes of data, too many for one array.");
            }
            byte[] data = new byte[(int) total];
            in.readFully(data);
            return new IdxFile(dims, data);
        } catch (FileNotFoundException e) {
            throw new DatasetException("missing file " + file + ".", e);
        } catch (EOFException e) {
            throw new DatasetException(file + " is truncated: it ends before the data its header declares.", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
