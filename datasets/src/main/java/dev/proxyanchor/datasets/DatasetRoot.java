package dev.proxyanchor.datasets;

import java.io.BufferedReader;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A dataset's folder on any Hadoop file system, found from the root the user gave. The official code joins the root
 * with the dataset's folder name ({@code CUB_200_2011}, {@code cars196}, ...); a root that is that folder itself is
 * accepted too.
 */
public final class DatasetRoot {

    private final FileSystem fs;
    private final Path dir;

    private DatasetRoot(FileSystem fs, Path dir) {
        this.fs = fs;
        this.dir = dir;
    }

    /**
     * Finds the dataset folder under {@code root}: {@code root/folderName} when it holds {@code marker}, else
     * {@code root} itself when it holds {@code marker}.
     *
     * @param title the dataset's name for messages, e.g. {@code CUB-200-2011}
     * @param marker a file or folder every copy of the dataset has, relative to the dataset folder
     */
    public static DatasetRoot locate(String root, String folderName, String marker, String title, Configuration conf) {
        DatasetRoot given = at(root, conf);
        try {
            Path nested = new Path(given.dir, folderName);
            if (given.fs.exists(new Path(nested, marker))) {
                return new DatasetRoot(given.fs, nested);
            }
            if (given.fs.exists(new Path(given.dir, marker))) {
                return given;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + given.dir, e);
        }
        throw new DatasetException("no " + title + " found under " + given.dir + ": expected "
                + new Path(new Path(given.dir, folderName), marker) + " (the data root is the folder that contains "
                + folderName + "/) or " + new Path(given.dir, marker) + " (the data root is " + folderName
                + "/ itself).");
    }

    /** The folder {@code root} itself, qualified (a plain local path becomes {@code file:/...}); it must exist. */
    public static DatasetRoot at(String root, Configuration conf) {
        if (root == null || root.isBlank()) {
            throw new DatasetException("no data root given: pass --data-root with the folder that holds the dataset.");
        }
        Path path = new Path(root);
        try {
            FileSystem fs = path.getFileSystem(conf);
            Path qualified = fs.makeQualified(path);
            if (!fs.exists(qualified)) {
                throw new DatasetException("data root " + qualified + " does not exist.");
            }
            if (!fs.getFileStatus(qualified).isDirectory()) {
                throw new DatasetException("data root " + qualified + " is a file; expected a folder.");
            }
            return new DatasetRoot(fs, qualified);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the data root " + root, e);
        }
    }

    public FileSystem fs() {
        return fs;
    }

    /** The dataset folder, fully qualified. */
    public Path dir() {
        return dir;
    }

    /** A path relative to the dataset folder. */
    public Path resolve(String relative) {
        return new Path(dir, relative);
    }

    /**
     * The lines of a required text file of the dataset.
     *
     * @param expected what the file is, for the message when it is missing (e.g. "the training split")
     */
    public List<String> readLines(String relative, String expected) {
        Path file = resolve(relative);
        try (InputStream in = open(file, expected);
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            List<String> lines = new ArrayList<>();
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                lines.add(line);
            }
            return lines;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Annotation files the readers load whole are megabytes; a larger one is not the file they expect. */
    static final long MAX_WHOLE_FILE_BYTES = 256L << 20;

    /** The bytes of a required file of the dataset (at most {@link #MAX_WHOLE_FILE_BYTES}). */
    public byte[] readBytes(String relative, String expected) {
        Path file = resolve(relative);
        try (InputStream in = open(file, expected)) {
            long length = fs.getFileStatus(file).getLen();
            if (length > MAX_WHOLE_FILE_BYTES) {
                throw new DatasetException(file + " is " + length + " bytes, larger than " + expected + " can be ("
                        + (MAX_WHOLE_FILE_BYTES >> 20) + " MiB at most); check that it is the right file.");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private InputStream open(Path file, String expected) throws IOException {
        try {
            return fs.open(file);
        } catch (FileNotFoundException e) {
            throw new DatasetException("missing file " + file + " (" + expected + ").", e);
        }
    }
}
