package dev.proxyanchor.model.pretrained;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes a state_dict in PyTorch's zip serialisation (the format {@code torch.save} has used since PyTorch 1.6), the
 * counterpart of {@link TorchCheckpointReader}: the entries {@code archive/data.pkl} (the pickled dict, protocol 2),
 * {@code archive/byteorder}, one {@code archive/data/<i>} per tensor (its elements, little-endian, C order) and
 * {@code archive/version}. As {@code torch.save} does, entries are stored uncompressed with their data aligned to
 * 64 bytes (padding in an extra field), so that {@code torch.load(..., mmap=True)} works too. Each tensor is pickled
 * as {@code torch._utils._rebuild_tensor_v2(storage, 0, size, stride, False, OrderedDict())} over its own storage,
 * the calls {@code torch.load(..., weights_only=True)} accepts.
 */
public final class TorchCheckpointWriter {

    private static final String ARCHIVE = "archive/";
    private static final int ALIGNMENT = 64;
    private static final int LOCAL_HEADER_BYTES = 30;
    /** PyTorch's padding extra field: tag "FB", then the padding. */
    private static final int PADDING_TAG = 'F' | ('B' << 8);
    /** A fixed entry time keeps the output a function of the tensors alone. */
    private static final long ENTRY_TIME = 1577836800000L;

    private TorchCheckpointWriter() {
    }

    /**
     * Writes {@code stateDict} (float32 tensors, and int64 ones for {@code LongStorage}) to {@code out}, which is
     * not closed.
     *
     * @param containerKey null to save the state_dict itself, or the key of the dict around it (the official
     *                     {@code train.py} saves {@code {'model_state_dict': state_dict}})
     */
    public static void write(Map<String, TorchTensor> stateDict, String containerKey, OutputStream out)
            throws IOException {
        List<byte[]> storages = new ArrayList<>(stateDict.size());
        PickleWriter pickle = new PickleWriter();
        if (containerKey != null) {
            pickle.emptyDict().string(containerKey);
        }
        pickle.global("collections", "OrderedDict").emptyTuple().reduce();
        if (!stateDict.isEmpty()) {
            pickle.mark();
        }
        for (Map.Entry<String, TorchTensor> e : stateDict.entrySet()) {
            TorchTensor tensor = e.getValue();
            String key = Integer.toString(storages.size());
            storages.add(elements(e.getKey(), tensor));
            pickle.string(e.getKey())
                    .global("torch._utils", "_rebuild_tensor_v2")
                    .mark()
                    .mark().string("storage").global("torch", tensor.dtype()).string(key).string("cpu")
                    .integer(tensor.values().length).tuple().persistentId()
                    .integer(0)
                    .integers(tensor.shape())
                    .integers(contiguousStrides(tensor.shape()))
                    .bool(false)
                    .global("collections", "OrderedDict").emptyTuple().reduce()
                    .tuple()
                    .reduce();
        }
        if (!stateDict.isEmpty()) {
            pickle.setItems();
        }
        if (containerKey != null) {
            pickle.setItem();
        }

        CountingOutputStream counted = new CountingOutputStream(out);
        ZipOutputStream zip = new ZipOutputStream(counted, StandardCharsets.UTF_8);
        storedEntry(zip, counted, ARCHIVE + "data.pkl", pickle.finish());
        storedEntry(zip, counted, ARCHIVE + "byteorder", "little".getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < storages.size(); i++) {
            storedEntry(zip, counted, ARCHIVE + "data/" + i, storages.get(i));
        }
        storedEntry(zip, counted, ARCHIVE + "version", "3\n".getBytes(StandardCharsets.US_ASCII));
        zip.finish();
        zip.flush();
    }

    private static byte[] elements(String key, TorchTensor tensor) {
        float[] values = tensor.values();
        if (values.length != tensor.length()) {
            throw new IllegalArgumentException(key + ": " + values.length + " values for shape "
                    + tensor.shapeString());
        }
        return switch (tensor.dtype()) {
            case "FloatStorage" -> {
                ByteBuffer b = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
                b.asFloatBuffer().put(values);
                yield b.array();
            }
            case "LongStorage" -> {
                ByteBuffer b = ByteBuffer.allocate(values.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
                for (float v : values) {
                    b.putLong((long) v);
                }
                yield b.array();
            }
            default -> throw new IllegalArgumentException(key + ": writing " + tensor.dtype() + " is not supported");
        };
    }

    private static long[] contiguousStrides(long[] shape) {
        long[] strides = new long[shape.length];
        long stride = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            strides[d] = stride;
            stride *= shape[d];
        }
        return strides;
    }

    private static void storedEntry(ZipOutputStream zip, CountingOutputStream counted, String name, byte[] data)
            throws IOException {
        ZipEntry entry = new ZipEntry(name);
        entry.setMethod(ZipEntry.STORED);
        entry.setTime(ENTRY_TIME);
        entry.setSize(data.length);
        entry.setCompressedSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        entry.setCrc(crc.getValue());
        long headerEnd = counted.count() + LOCAL_HEADER_BYTES + name.getBytes(StandardCharsets.UTF_8).length;
        int padding = (int) ((ALIGNMENT - headerEnd % ALIGNMENT) % ALIGNMENT);
        if (padding > 0 && padding < 4) {
            padding += ALIGNMENT;
        }
        if (padding > 0) {
            byte[] extra = new byte[padding];
            extra[0] = (byte) PADDING_TAG;
            extra[1] = (byte) (PADDING_TAG >>> 8);
            extra[2] = (byte) (padding - 4);
            extra[3] = (byte) ((padding - 4) >>> 8);
            java.util.Arrays.fill(extra, 4, padding, (byte) 'Z');
            entry.setExtra(extra);
        }
        zip.putNextEntry(entry);
        zip.write(data);
        zip.closeEntry();
    }

    /** Counts the bytes written, to place each entry's data on the alignment. */
    private static final class CountingOutputStream extends FilterOutputStream {
        private long count;

        CountingOutputStream(OutputStream out) {
            super(out);
        }

        long count() {
            return count;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
