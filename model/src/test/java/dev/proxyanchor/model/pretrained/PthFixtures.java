package dev.proxyanchor.model.pretrained;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Builds small {@code .pth} files byte by byte, in both of PyTorch's formats, with whatever sizes a test declares
 * (honest or absurd): the fixtures of the reader's fuzz tests, written independently of {@link TorchCheckpointWriter}.
 */
final class PthFixtures {

    /**
     * One tensor over its own storage.
     *
     * @param storageNumel the element count the pickle declares for the storage
     * @param data         the storage's bytes as stored in the file
     */
    record Spec(String key, String dtype, long storageNumel, long[] size, long[] stride, byte[] data) {

        static Spec floats(String key, long[] size, float... values) {
            ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(values);
            long[] stride = new long[size.length];
            long s = 1;
            for (int d = size.length - 1; d >= 0; d--) {
                stride[d] = s;
                s *= size[d];
            }
            return new Spec(key, "FloatStorage", values.length, size, stride, b.array());
        }

        Spec withStorageNumel(long numel) {
            return new Spec(key, dtype, numel, size, stride, data);
        }

        Spec withSize(long[] newSize, long[] newStride) {
            return new Spec(key, dtype, storageNumel, newSize, newStride, data);
        }
    }

    static final List<Spec> SMALL = List.of(
            Spec.floats("conv.weight", new long[] {2, 3}, 1, 2, 3, 4, 5, 6),
            Spec.floats("conv.bias", new long[] {2}, -1, 0.5f),
            new Spec("bn.num_batches_tracked", "LongStorage", 1, new long[0], new long[0],
                    ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(3).array()));

    private PthFixtures() {
    }

    /** The pickled state_dict (an OrderedDict) whose storage keys are "0", "1", ... */
    static byte[] statePickle(List<Spec> specs) {
        PickleWriter p = new PickleWriter().global("collections", "OrderedDict").emptyTuple().reduce().mark();
        for (int i = 0; i < specs.size(); i++) {
            Spec s = specs.get(i);
            p.string(s.key()).global("torch._utils", "_rebuild_tensor_v2").mark()
                    .mark().string("storage").global("torch", s.dtype()).string(Integer.toString(i)).string("cpu")
                    .integer(s.storageNumel())
                    .tuple().persistentId()
                    .integer(0).integers(s.size()).integers(s.stride()).bool(false)
                    .global("collections", "OrderedDict").emptyTuple().reduce()
                    .tuple().reduce();
        }
        return p.setItems().finish();
    }

    /** The zip format, entries stored (or deflated, for bombs) as {@code torch.save} lays them out. */
    static byte[] zip(List<Spec> specs, boolean deflateData) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            entry(zip, "t/data.pkl", statePickle(specs), false);
            for (int i = 0; i < specs.size(); i++) {
                entry(zip, "t/data/" + i, specs.get(i).data(), deflateData);
            }
            entry(zip, "t/version", "3\n".getBytes(), false);
        }
        return bytes.toByteArray();
    }

    private static void entry(ZipOutputStream zip, String name, byte[] data, boolean deflate) throws IOException {
        ZipEntry e = new ZipEntry(name);
        if (!deflate) {
            e.setMethod(ZipEntry.STORED);
            e.setSize(data.length);
            CRC32 crc = new CRC32();
            crc.update(data);
            e.setCrc(crc.getValue());
        }
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }

    /** The legacy format: magic, protocol, system info, state_dict, storage keys, then each storage's count and bytes. */
    static byte[] legacy(List<Spec> specs) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x80, 2, (byte) 0x8a, 10,
                0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19, '.'});
        out.writeBytes(new PickleWriter().integer(1001).finish());
        out.writeBytes(new PickleWriter().emptyDict().mark().string("protocol_version").integer(1001)
                .string("little_endian").bool(true).setItems().finish());
        out.writeBytes(statePickle(specs));
        PickleWriter keys = new PickleWriter().mark();
        for (int i = 0; i < specs.size(); i++) {
            keys.string(Integer.toString(i));
        }
        out.writeBytes(keys.tuple().finish());
        for (Spec s : specs) {
            out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(s.storageNumel()).array());
            out.writeBytes(s.data());
        }
        return out.toByteArray();
    }
}
