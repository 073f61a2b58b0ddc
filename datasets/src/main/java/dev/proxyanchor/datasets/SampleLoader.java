package dev.proxyanchor.datasets;

import dev.proxyanchor.datasets.image.ImageDecoders;
import dev.proxyanchor.datasets.image.ImageLimits;
import dev.proxyanchor.datasets.image.RgbImage;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Reads and decodes the image of a sample through Hadoop {@code FileSystem}, so any URI Hadoop knows works
 * ({@code file:}, {@code hdfs:}, {@code s3a:}, ...). Images inside an idx file ({@link IdxEntry}) come from a copy of
 * the whole file kept once per JVM, since tens of thousands of samples index into the same file. Serializable
 * (the Hadoop configuration travels in its own Writable form) so Spark tasks can carry it.
 */
public final class SampleLoader implements Serializable {

    private static final Map<String, IdxFile> IDX_FILES = new ConcurrentHashMap<>();

    private transient Configuration conf;

    public SampleLoader(Configuration conf) {
        this.conf = conf;
    }

    /**
     * The decoded image of {@code sample}.
     *
     * @throws DatasetException naming the file when it is missing, truncated or not an image
     */
    public RgbImage load(Sample sample) {
        Optional<IdxEntry> entry = IdxEntry.parse(sample.uri());
        return entry.isPresent() ? loadIdx(entry.get()) : ImageDecoders.decode(readBytes(sample.uri()), sample.uri());
    }

    private byte[] readBytes(String uri) {
        Path path = new Path(uri);
        try {
            FileSystem fs = path.getFileSystem(conf);
            long length = fs.getFileStatus(path).getLen();
            if (length > ImageLimits.MAX_FILE_BYTES) {
                throw new DatasetException("refusing image " + uri + ": it is " + length + " bytes long, more than "
                        + "the " + ImageLimits.MAX_FILE_BYTES + " bytes an image file may have here; it is no photo "
                        + "of a dataset. Remove it.");
            }
            try (InputStream in = fs.open(path)) {
                return in.readNBytes((int) length);
            }
        } catch (FileNotFoundException e) {
            throw new DatasetException("image " + uri + " does not exist; it was listed when the dataset was read, "
                    + "so it was moved or deleted since.", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read image " + uri, e);
        }
    }

    private RgbImage loadIdx(IdxEntry entry) {
        IdxFile file = IDX_FILES.computeIfAbsent(entry.fileUri(), uri -> {
            Path path = new Path(uri);
            try {
                return IdxFile.read(path.getFileSystem(conf), path, 3);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + uri, e);
            }
        });
        if (entry.index() >= file.count()) {
            throw new DatasetException(entry.uri() + ": image " + entry.index() + " does not exist; " + entry.fileUri()
                    + " holds " + file.count() + " images.");
        }
        return RgbImage.ofGray(file.dims()[2], file.dims()[1], file.data(), entry.index() * file.entryBytes());
    }

    private void writeObject(ObjectOutputStream out) throws IOException {
        out.defaultWriteObject();
        conf.write(out);
    }

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        conf = new Configuration(false);
        conf.readFields(in);
    }
}
