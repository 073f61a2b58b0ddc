package dev.proxyanchor.spark.train;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;

/**
 * One worker minibatch, as a string DL4J's path-based Spark training can carry: which images (URI, training label)
 * and the seed of each image's augmentation. The executor that trains on it decodes the images itself, so decoded
 * tensors never travel and never exist for more than the prefetched batches. It is a relative URI (no scheme, URL-safe
 * base64), because DL4J resolves a Hadoop FileSystem from the first path it sees.
 */
public record BatchDescriptor(int epoch, int batch, String[] uris, int[] labels, long[] seeds) {

    private static final String PREFIX = "batch/";

    public String encode() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(new java.util.zip.DeflaterOutputStream(bytes))) {
                out.writeInt(epoch);
                out.writeInt(batch);
                out.writeInt(uris.length);
                for (int i = 0; i < uris.length; i++) {
                    out.writeUTF(uris[i]);
                    out.writeInt(labels[i]);
                    out.writeLong(seeds[i]);
                }
            }
            return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static BatchDescriptor decode(String path) {
        int at = path.lastIndexOf(PREFIX);
        if (at < 0) {
            throw new IllegalArgumentException("not a batch descriptor: " + path);
        }
        byte[] raw = Base64.getUrlDecoder().decode(path.substring(at + PREFIX.length()));
        try (DataInputStream in = new DataInputStream(
                new java.util.zip.InflaterInputStream(new ByteArrayInputStream(raw)))) {
            int epoch = in.readInt();
            int batch = in.readInt();
            int n = in.readInt();
            String[] uris = new String[n];
            int[] labels = new int[n];
            long[] seeds = new long[n];
            for (int i = 0; i < n; i++) {
                uris[i] = in.readUTF();
                labels[i] = in.readInt();
                seeds[i] = in.readLong();
            }
            return new BatchDescriptor(epoch, batch, uris, labels, seeds);
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt batch descriptor", e);
        }
    }
}
