package dev.proxyanchor.spark.cluster;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/** Writes the first records of the Debian Fashion-MNIST idx files, in the same gzipped idx format. */
final class FashionMnistSubset {

    private FashionMnistSubset() {
    }

    /** Writes the four files, {@code train} and {@code test} records each, through {@code open}. */
    static void write(Path source, int train, int test, IoFunction open) throws IOException {
        copy(source.resolve("train-images-idx3-ubyte.gz"), train, open.create("train-images-idx3-ubyte.gz"));
        copy(source.resolve("train-labels-idx1-ubyte.gz"), train, open.create("train-labels-idx1-ubyte.gz"));
        copy(source.resolve("t10k-images-idx3-ubyte.gz"), test, open.create("t10k-images-idx3-ubyte.gz"));
        copy(source.resolve("t10k-labels-idx1-ubyte.gz"), test, open.create("t10k-labels-idx1-ubyte.gz"));
    }

    interface IoFunction {
        OutputStream create(String name) throws IOException;
    }

    private static void copy(Path from, int records, OutputStream target) throws IOException {
        try (DataInputStream in = new DataInputStream(new GZIPInputStream(Files.newInputStream(from)));
             DataOutputStream out = new DataOutputStream(new GZIPOutputStream(target))) {
            int magic = in.readInt();
            int count = in.readInt();
            out.writeInt(magic);
            out.writeInt(Math.min(records, count));
            int recordBytes = 1;
            for (int d = 1; d < (magic & 0xff); d++) {
                int size = in.readInt();
                out.writeInt(size);
                recordBytes *= size;
            }
            out.write(in.readNBytes(Math.min(records, count) * recordBytes));
        }
    }
}
