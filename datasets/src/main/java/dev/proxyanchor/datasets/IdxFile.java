package dev.proxyanchor.datasets;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.zip.ZipException;
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
    /** Deflate (gzip) never compresses better than 1032:1, so a .gz file cannot hold more than this times its size. */
    private static final long MAX_DEFLATE_RATIO = 1032;

    /** Reads the whole file; it must hold unsigned bytes in {@code dimensions} dimensions. */
    public static IdxFile read(FileSystem fs, Path file, int dimensions) {
        return read(fs, file, dimensions, Extent.DATA);
    }

    /** Reads only the dimensions. */
    public static IdxFile readHeader(FileSystem fs, Path file, int dimensions) {
        return read(fs, file, dimensions, Extent.HEADER);
    }

    /**
     * Checks that the file holds all the data its header declares, without keeping it, so that a truncated file is
     * refused when the dataset is listed rather than in the first training task. Decompresses a .gz file to the end:
     * check the header's dimensions first.
     */
    public static void checkComplete(FileSystem fs, Path file, int dimensions) {
        read(fs, file, dimensions, Extent.CHECK_DATA);
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

    /** How much of the file a read goes through. */
    private enum Extent { HEADER, CHECK_DATA, DATA }

    private static IdxFile read(FileSystem fs, Path file, int dimensions, Extent extent) {
        boolean gzipped = file.getName().endsWith(".gz");
        try (InputStream raw = fs.open(file);
                DataInputStream in = new DataInputStream(gzipped ? new GZIPInputStream(raw, 1 << 16) : raw)) {
            long fileBytes = fs.getFileStatus(file).getLen();
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
                if (dims[i] < 0) {
                    throw new DatasetException(file + " declares the negative dimension " + dims[i]
                            + "; it is corrupt.");
                }
                total = Math.min(total * dims[i], Long.MAX_VALUE / Integer.MAX_VALUE);
            }
            if (extent == Extent.HEADER) {
                return new IdxFile(dims, new byte[0]);
            }
            // Checked before allocating: a header cannot ask for more than the file can hold.
            long headerBytes = 4L * (dimensions + 1);
            long available = gzipped ? MAX_DEFLATE_RATIO * fileBytes : fileBytes - headerBytes;
            if (total > available) {
                throw new DatasetException(file + " declares " + Arrays.toString(dims) + " = " + total + " bytes of "
                        + "data but holds " + (gzipped ? "at most " : "") + available + ": it is truncated or corrupt.");
            }
            if (extent == Extent.CHECK_DATA) {
                if (gzipped) {
                    // Only decompressing tells how much a gzip stream holds (a fraction of a second for Fashion-MNIST).
                    in.skipNBytes(total);
                }
                return new IdxFile(dims, new byte[0]);
            }
            if (total > Integer.MAX_VALUE - 16) {
                throw new DatasetException(file + " declares " + total + " bytes of data, too many for one array.");
            }
            // Grows with what the stream actually holds rather than with what the header says.
            byte[] data = in.readNBytes((int) total);
            if (data.length < total) {
                throw new EOFException();
            }
            return new IdxFile(dims, data);
        } catch (FileNotFoundException e) {
            throw new DatasetException("missing file " + file + ".", e);
        } catch (EOFException e) {
            throw new DatasetException(file + " is truncated: it ends before the data its header declares.", e);
        } catch (ZipException e) {
            throw new DatasetException(file + " is not a valid gzip file (" + e.getMessage() + ").", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
