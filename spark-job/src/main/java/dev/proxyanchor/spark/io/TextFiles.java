package dev.proxyanchor.spark.io;

import dev.proxyanchor.model.UserInputException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** Small text files (reports) written through Hadoop's FileSystem, so any URI Spark can write works. */
public final class TextFiles {

    private TextFiles() {
    }

    /** Writes (replacing) {@code uri} with {@code text} in UTF-8. */
    public static void write(Configuration hadoop, String uri, String text) {
        Path path = new Path(uri);
        try {
            FileSystem fs = path.getFileSystem(hadoop);
            try (OutputStream out = fs.create(path, true)) {
                out.write(text.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UserInputException("cannot write " + uri + ": " + e.getMessage()
                    + "; check that the directory exists and is writable", e);
        }
    }

}
