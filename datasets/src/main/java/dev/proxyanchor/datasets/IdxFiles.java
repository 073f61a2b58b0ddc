package dev.proxyanchor.datasets;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.GZIPInputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * Reads the MNIST idx format (big-endian magic 0x0801 for labels, 0x0803 for images, then the dimensions), gzipped or
 * not, through Hadoop's FileSystem. Image files are cached whole once per JVM, because every image of a Fashion-MNIST
 * epoch indexes into the same two files.
 */
public final class IdxFiles {

    private static final Map<String, Images> CACHE = new ConcurrentHashMap<>();

    private IdxFiles() {
    }

    /** Images of one idx3 file: {@code count} images of {@code rows x cols} unsigned bytes. */
    public record Images(String uri, int count, int rows, int cols, byte[] pixels) {

        /** Image {@code index} as floats in [0, 1], row-major. */
        public float[] image(int index) {
            if (index < 0 || index >= count) {
                throw new DatasetException(uri + " has " + count + " images; index " + index + " does not exist");
            }
            int size = rows * cols;
            float[] out = new float[size];
            for (int i = 0; i < size; i++) {
                out[i] = (pixels[index * size + i] & 0xff) / 255f;
            }
            return out;
        }
    }

    public static int[] readLabels(String uri, Configuration conf) {
        try (DataInputStream in = open(uri, conf)) {
            int magic = in.readInt();
            if (magic != 0x00000801) {
                throw new DatasetException(uri + " is not an idx1 label file (magic " + Integer.toHexString(magic)
                        + ", expected 801)");
            }
            int count = in.readInt();
            byte[] raw = in.readNBytes(count);
            if (raw.length != count) {
                throw new DatasetException(uri + " is truncated: header says " + count + " labels, found " + raw.length);
            }
            int[] labels = new int[count];
            for (int i = 0; i < count; i++) {
                labels[i] = raw[i] & 0xff;
            }
            return labels;
        } catch (IOException e) {
            throw new DatasetException("cannot read labels " + uri + ": " + e.getMessage(), e);
        }
    }

    public static Images images(String uri, Configuration conf) {
        return CACHE.computeIfAbsent(uri, u -> readImages(u, conf));
    }

    private static Images readImages(String uri, Configuration conf) {
        try (DataInputStream in = open(uri, conf)) {
            int magic = in.readInt();
            if (magic != 0x00000803) {
                throw new DatasetException(uri + " is not an idx3 image file (magic " + Integer.toHexString(magic)
                        + ", expected 803)");
            }
            int count = in.readInt();
            int rows = in.readInt();
            int cols = in.readInt();
            long expected = (long) count * rows * cols;
            ByteArrayOutputStream bytes = new ByteArrayOutputStream((int) Math.min(expected, Integer.MAX_VALUE - 8));
            in.transferTo(bytes);
            byte[] pixels = bytes.toByteArray();
            if (pixels.length < expected) {
                throw new DatasetException(uri + " is truncated: header says " + count + " images of " + rows + "x"
                        + cols + ", found " + pixels.length + " of " + expected + " pixel bytes");
            }
            return new Images(uri, count, rows, cols, pixels);
        } catch (IOException e) {
            throw new DatasetException("cannot read images " + uri + ": " + e.getMessage(), e);
        }
    }

    private static DataInputStream open(String uri, Configuration conf) throws IOException {
        Path path = new Path(uri);
        InputStream raw = path.getFileSystem(conf).open(path);
        return new DataInputStream(uri.endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw);
    }
}
