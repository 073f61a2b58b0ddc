package dev.proxyanchor.spark.io;

import dev.proxyanchor.model.UsageException;
import dev.proxyanchor.model.UserInputException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * One output file written through Hadoop's FileSystem under a hidden temporary name beside its target, and renamed
 * into place only when complete ({@link #commit}), so that a failed or killed write never leaves a partial file
 * under the name the user asked for. On object stores (S3A) the rename is a copy.
 */
public final class SingleFileOutput implements AutoCloseable {

    private final FileSystem fs;
    private final Path target;
    private final Path temporary;
    private final OutputStream out;
    private boolean committed;

    private SingleFileOutput(FileSystem fs, Path target) throws IOException {
        this.fs = fs;
        this.target = target;
        this.temporary = new Path(target.getParent(), "." + target.getName() + "." + UUID.randomUUID() + ".tmp");
        this.out = new BufferedOutputStream(fs.create(temporary, false), 1 << 16);
    }

    public static SingleFileOutput create(Configuration hadoop, String uri) {
        Path target = new Path(uri);
        try {
            return new SingleFileOutput(target.getFileSystem(hadoop), target);
        } catch (IOException e) {
            throw new UserInputException("cannot write " + uri + ": " + e.getMessage()
                    + "; check that the directory exists and is writable", e);
        }
    }

    /** Refuses an existing {@code uri} unless {@code overwrite}; checked before any work is done. */
    public static void requireAbsentOrOverwrite(Configuration hadoop, String uri, boolean overwrite) {
        Path path = new Path(uri);
        try {
            if (!overwrite && path.getFileSystem(hadoop).exists(path)) {
                throw new UsageException(uri + " already exists; choose another output or pass --overwrite");
            }
        } catch (IOException e) {
            throw new UserInputException("cannot check the output " + uri + ": " + e.getMessage(), e);
        }
    }

    public OutputStream stream() {
        return out;
    }

    /** Closes the temporary file and renames it onto the target, replacing what was there. */
    public void commit() throws IOException {
        out.close();
        if (fs.exists(target) && !fs.delete(target, true)) {
            throw new IOException("could not replace " + target);
        }
        if (!fs.rename(temporary, target)) {
            throw new IOException("could not rename " + temporary + " to " + target);
        }
        committed = true;
    }

    /** Without a commit: closes and deletes the temporary file. */
    @Override
    public void close() throws IOException {
        if (!committed) {
            out.close();
            fs.delete(temporary, false);
        }
    }
}
