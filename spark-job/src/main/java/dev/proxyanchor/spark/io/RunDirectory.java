package dev.proxyanchor.spark.io;

import dev.proxyanchor.model.UserInputException;
import dev.proxyanchor.model.checkpoint.Checkpoint;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.IOUtils;

/**
 * A training run's output directory on any Hadoop file system: {@code config.json}, {@code metrics.jsonl} (one
 * {@link EpochRecord} per line), and the {@code best/} and {@code last/} checkpoints. Every file is written to a temporary name and renamed into place,
 * and a checkpoint directory is replaced by rename, so that a crash at any moment leaves the previous complete
 * version readable (at worst under {@code <name>.old}, which reading falls back to).
 *
 * <p>On object stores (S3A) renaming a directory is not atomic: it copies the objects one by one, then deletes the
 * sources, so a crash can leave a checkpoint directory with only some of its files. A checkpoint therefore counts
 * only when both its files are present; an incomplete one is passed over for {@code <name>.old} when reading and
 * deleted (never moved over the complete {@code .old}) when the next checkpoint replaces it. Each replacement costs
 * two server-side copies of the checkpoint on S3.
 */
public final class RunDirectory {

    public static final String CONFIG = "config.json";
    public static final String METRICS = "metrics.jsonl";
    public static final String LAST = "last";
    public static final String BEST = "best";

    private final Path root;
    private final FileSystem fs;

    private RunDirectory(Path root, FileSystem fs) {
        this.root = root;
        this.fs = fs;
    }

    public static RunDirectory at(String uri, Configuration conf) {
        try {
            Path path = new Path(uri);
            FileSystem fs = path.getFileSystem(conf);
            return new RunDirectory(fs.makeQualified(path), fs);
        } catch (IOException | IllegalArgumentException e) {
            throw new UserInputException("cannot open output directory " + uri + ": " + e.getMessage(), e);
        }
    }

    public Path root() {
        return root;
    }

    /** True when the directory already holds a run (a config or a checkpoint). */
    public boolean holdsRun() throws IOException {
        return fs.exists(new Path(root, CONFIG)) || hasCheckpoint(LAST) || hasCheckpoint(BEST);
    }

    public boolean hasCheckpoint(String name) throws IOException {
        return isCompleteCheckpoint(new Path(root, name)) || isCompleteCheckpoint(new Path(root, name + ".old"));
    }

    private boolean isCompleteCheckpoint(Path dir) throws IOException {
        return fs.exists(new Path(dir, Checkpoint.MODEL_FILE)) && fs.exists(new Path(dir, Checkpoint.STATE_FILE));
    }

    /** Removes everything a previous run left (for {@code --overwrite}). */
    public void clear() throws IOException {
        if (fs.exists(root) && !fs.delete(root, true)) {
            throw new IOException("could not delete " + root);
        }
    }

    public void writeText(String name, String text) throws IOException {
        Path target = new Path(root, name);
        Path tmp = new Path(root, "." + name + "." + UUID.randomUUID() + ".tmp");
        fs.mkdirs(root);
        try (OutputStream out = fs.create(tmp, true)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
        // One object: a renamed file on an object store is either all there or not at all.
        replace(tmp, target, fs::exists);
    }

    /** The text of {@code name}, or of {@code name.old} if a crash came between the two renames of a write. */
    public String readText(String name) throws IOException {
        Path path = new Path(root, name);
        if (!fs.exists(path)) {
            path = new Path(root, name + ".old");
        }
        if (!fs.exists(path)) {
            return "";
        }
        try (FSDataInputStream in = fs.open(path)) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            IOUtils.copyBytes(in, bytes, 1 << 16, false);
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }

    /**
     * Appends one line to a text file. Object stores cannot append, so the file is rewritten (it holds one line per
     * epoch) and renamed into place.
     */
    public void appendLine(String name, String line) throws IOException {
        writeText(name, readText(name) + line + "\n");
    }

    /** The run's epochs as {@code metrics.jsonl} records them, oldest first (none for a run not yet started). */
    public List<EpochRecord> readEpochs() throws IOException {
        List<EpochRecord> epochs = new ArrayList<>();
        String[] lines = readText(METRICS).split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (!lines[i].isBlank()) {
                epochs.add(EpochRecord.fromJson(lines[i], new Path(root, METRICS) + " line " + (i + 1)));
            }
        }
        return epochs;
    }

    /** Appends an epoch's record to {@code metrics.jsonl}. */
    public void appendEpoch(EpochRecord record) throws IOException {
        appendLine(METRICS, record.toJson());
    }

    /** Writes a checkpoint under {@code name/}, replacing any previous one only once the new one is complete. */
    public void writeCheckpoint(String name, Checkpoint checkpoint) throws IOException {
        Path tmp = new Path(root, "." + name + "." + UUID.randomUUID() + ".tmp");
        fs.mkdirs(tmp);
        try (OutputStream out = fs.create(new Path(tmp, Checkpoint.MODEL_FILE), true)) {
            checkpoint.writeModel(out);
        }
        try (OutputStream out = fs.create(new Path(tmp, Checkpoint.STATE_FILE), true)) {
            checkpoint.writeState(out);
        }
        replace(tmp, new Path(root, name), this::isCompleteCheckpoint);
    }

    public Checkpoint readCheckpoint(String name) throws IOException {
        Path dir = new Path(root, name);
        if (!isCompleteCheckpoint(dir)) {
            Path old = new Path(root, name + ".old");
            if (!isCompleteCheckpoint(old)) {
                throw new UserInputException("no checkpoint " + dir + " (expected " + Checkpoint.MODEL_FILE + " and "
                        + Checkpoint.STATE_FILE + " in it); was this directory written by 'train'?");
            }
            dir = old;
        }
        try (InputStream model = fs.open(new Path(dir, Checkpoint.MODEL_FILE));
             InputStream state = fs.open(new Path(dir, Checkpoint.STATE_FILE))) {
            return Checkpoint.read(model, state, dir.toString());
        }
    }

    private interface Completeness {
        boolean test(Path path) throws IOException;
    }

    /** target := tmp, keeping the last complete target as target.old until the rename has happened. */
    private void replace(Path tmp, Path target, Completeness complete) throws IOException {
        Path old = new Path(target.getParent(), target.getName() + ".old");
        if (fs.exists(target)) {
            if (complete.test(target)) {
                if (fs.exists(old)) {
                    fs.delete(old, true);
                }
                if (!fs.rename(target, old)) {
                    throw new IOException("could not move " + target + " aside to " + old);
                }
            } else {
                // What an interrupted rename on an object store leaves; the complete version is target.old.
                fs.delete(target, true);
            }
        }
        if (!fs.rename(tmp, target)) {
            throw new IOException("could not rename " + tmp + " to " + target);
        }
        fs.delete(old, true);
    }
}
