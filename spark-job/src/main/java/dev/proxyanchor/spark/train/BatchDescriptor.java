package dev.proxyanchor.spark.train;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.InflaterInputStream;

/**
 * One worker minibatch, as a string DL4J's path-based Spark training can carry: which images (URI, training label)
 * and the seed of each image's augmentation, and the minibatches the same Spark task trains on next, so that the
 * executor decodes those ahead while this one trains. The executor that trains on it decodes the images itself, so
 * decoded tensors never travel and never exist for more than the batches ahead. It is a relative URI (no scheme,
 * URL-safe base64), because DL4J resolves a Hadoop FileSystem from the first path it sees.
 *
 * @param worker the worker (Spark partition) of its averaging round
 * @param ahead  the minibatches the same task takes next, in order (their own {@code ahead} is empty)
 */
public record BatchDescriptor(int epoch, int batch, int worker, String[] uris, int[] labels, long[] seeds,
                              List<BatchDescriptor> ahead) {

    private static final String PREFIX = "batch/";

    public BatchDescriptor {
        ahead = List.copyOf(ahead);
    }

    /** A minibatch with nothing to decode ahead. */
    public BatchDescriptor(int epoch, int batch, String[] uris, int[] labels, long[] seeds) {
        this(epoch, batch, 0, uris, labels, seeds, List.of());
    }

    /** Identifies the minibatch within a run: epoch, batch of the epoch's plan, worker. */
    public String key() {
        return epoch + "/" + batch + "/" + worker;
    }

    public BatchDescriptor withAhead(List<BatchDescriptor> next) {
        return new BatchDescriptor(epoch, batch, worker, uris, labels, seeds, next);
    }

    public String encode() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(new DeflaterOutputStream(bytes))) {
                out.writeInt(1 + ahead.size());
                write(out);
                for (BatchDescriptor next : ahead) {
                    next.write(out);
                }
            }
            return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void write(DataOutputStream out) throws IOException {
        out.writeInt(epoch);
        out.writeInt(batch);
        out.writeInt(worker);
        out.writeInt(uris.length);
        for (int i = 0; i < uris.length; i++) {
            out.writeUTF(uris[i]);
            out.writeInt(labels[i]);
            out.writeLong(seeds[i]);
        }
    }

    static BatchDescriptor decode(String path) {
        int at = path.lastIndexOf(PREFIX);
        if (at < 0) {
            throw new IllegalArgumentException("not a batch descriptor: " + path);
        }
        byte[] raw = Base64.getUrlDecoder().decode(path.substring(at + PREFIX.length()));
        try (DataInputStream in = new DataInputStream(new InflaterInputStream(new ByteArrayInputStream(raw)))) {
            int count = in.readInt();
            BatchDescriptor first = read(in);
            List<BatchDescriptor> ahead = new ArrayList<>(count - 1);
            for (int i = 1; i < count; i++) {
                ahead.add(read(in));
            }
            return first.withAhead(ahead);
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt batch descriptor", e);
        }
    }

    private static BatchDescriptor read(DataInputStream in) throws IOException {
        int epoch = in.readInt();
        int batch = in.readInt();
        int worker = in.readInt();
        int n = in.readInt();
        String[] uris = new String[n];
        int[] labels = new int[n];
        long[] seeds = new long[n];
        for (int i = 0; i < n; i++) {
            uris[i] = in.readUTF();
            labels[i] = in.readInt();
            seeds[i] = in.readLong();
        }
        return new BatchDescriptor(epoch, batch, worker, uris, labels, seeds, List.of());
    }
}
