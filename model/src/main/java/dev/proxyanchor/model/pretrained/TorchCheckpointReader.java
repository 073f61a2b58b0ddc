package dev.proxyanchor.model.pretrained;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Reads a PyTorch state_dict file ({@code torch.save(model.state_dict(), path)}) without PyTorch, in both formats
 * {@code torch.load} reads:
 * <ul>
 *   <li>the zip format (PyTorch 1.6 and later): {@code <name>/data.pkl} is the pickled dict whose tensors are
 *       {@code torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...)} calls and whose storages are
 *       persistent ids {@code ('storage', torch.FloatStorage, key, location, numel)} naming the entries
 *       {@code <name>/data/<key>} (raw little-endian elements);</li>
 *   <li>the legacy format (before 1.6; the BN-Inception and older torchvision files): the pickles of a magic number,
 *       the protocol version 1001 and system information, then the pickled dict, then the pickled list of storage
 *       keys, then per key an int64 element count and the raw elements.</li>
 * </ul>
 * Only state_dicts are read: a pickle that calls anything but OrderedDict and the tensor rebuild functions is refused.
 */
public final class TorchCheckpointReader {

    private static final BigInteger LEGACY_MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);
    private static final long LEGACY_PROTOCOL_VERSION = 1001;

    private TorchCheckpointReader() {
    }

    /** A storage as the pickle references it: its key, element type and element count (a view adds an offset). */
    private record StorageRef(String key, StorageType type, long offset, long numel) {
    }

    /** A tensor as the pickle describes it, before its storage is read. */
    private record TensorRef(StorageRef storage, long offset, long[] size, long[] stride) {
    }

    private enum StorageType {
        FloatStorage(4), DoubleStorage(8), HalfStorage(2), BFloat16Storage(2), LongStorage(8), IntStorage(4),
        ShortStorage(2), CharStorage(1), ByteStorage(1), BoolStorage(1);

        final int bytes;

        StorageType(int bytes) {
            this.bytes = bytes;
        }

        float get(ByteBuffer b, long index) {
            int i = Math.toIntExact(index * bytes);
            return switch (this) {
                case FloatStorage -> b.getFloat(i);
                case DoubleStorage -> (float) b.getDouble(i);
                case HalfStorage -> halfToFloat(b.getShort(i));
                case BFloat16Storage -> Float.intBitsToFloat((b.getShort(i) & 0xffff) << 16);
                case LongStorage -> b.getLong(i);
                case IntStorage -> b.getInt(i);
                case ShortStorage -> b.getShort(i);
                case CharStorage -> b.get(i);
                case ByteStorage, BoolStorage -> b.get(i) & 0xff;
            };
        }

        /** IEEE 754 binary16 to float (Java 17 has no Float.float16ToFloat). */
        private static float halfToFloat(short half) {
            int h = half & 0xffff;
            int sign = (h & 0x8000) << 16;
            int exponent = (h >>> 10) & 0x1f;
            int mantissa = h & 0x3ff;
            if (exponent == 0x1f) {
                return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
            }
            if (exponent == 0) {
                float subnormal = mantissa * 0x1p-24f;
                return sign == 0 ? subnormal : -subnormal;
            }
            return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
        }
    }

    /** Reads the state_dict in {@code file}, keys in file order. */
    public static Map<String, TorchTensor> read(Path file) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            if (isZip(in)) {
                return readZip(file, file.toString());
            }
            return readNonZip(in, file.toString());
        }
    }

    /**
     * Reads the state_dict from {@code in} (not closed); {@code where} names it in error messages. A zip-format file
     * is copied to a temporary file first: PyTorch writes its entries with trailing data descriptors, which only
     * the zip's central directory, at its end, describes.
     */
    public static Map<String, TorchTensor> read(InputStream in, String where) throws IOException {
        InputStream stream = in.markSupported() ? in : new BufferedInputStream(in, 1 << 16);
        if (!isZip(stream)) {
            return readNonZip(stream, where);
        }
        Path copy = Files.createTempFile("pretrained-", ".pth");
        try {
            Files.copy(stream, copy, StandardCopyOption.REPLACE_EXISTING);
            return readZip(copy, where);
        } finally {
            Files.deleteIfExists(copy);
        }
    }

    private static boolean isZip(InputStream in) throws IOException {
        in.mark(4);
        byte[] head = in.readNBytes(4);
        in.reset();
        return head.length == 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4;
    }

    private static Map<String, TorchTensor> readNonZip(InputStream in, String where) throws IOException {
        in.mark(1);
        int first = in.read();
        in.reset();
        if (first == 0x80) {
            return readLegacy(in, where);
        }
        throw new IOException(where + " is not a PyTorch checkpoint: it is neither a zip archive (torch.save since"
                + " PyTorch 1.6) nor a legacy pickle file (before 1.6). Very old tar-format files are not supported:"
                + " re-save the state_dict with a current PyTorch.");
    }

    private static Map<String, TorchTensor> readZip(Path file, String where) throws IOException {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            String pickleEntry = null;
            for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
                String name = e.nextElement().getName();
                if (name.endsWith("/data.pkl") && name.indexOf('/') == name.length() - "/data.pkl".length()) {
                    pickleEntry = name;
                }
            }
            if (pickleEntry == null) {
                throw new IOException(where + " is a zip archive without <name>/data.pkl: not a PyTorch checkpoint");
            }
            String prefix = pickleEntry.substring(0, pickleEntry.length() - "data.pkl".length());
            ZipEntry byteorder = zip.getEntry(prefix + "byteorder");
            if (byteorder != null && !new String(zip.getInputStream(byteorder).readAllBytes(),
                    StandardCharsets.US_ASCII).trim().equals("little")) {
                throw new IOException(where + ": big-endian checkpoints are not supported");
            }
            Map<String, StorageRef> storages = new LinkedHashMap<>();
            Object root;
            try (InputStream pickle = new BufferedInputStream(zip.getInputStream(zip.getEntry(pickleEntry)))) {
                root = Pickle.load(pickle, where + "!" + pickleEntry, TorchCheckpointReader::call,
                        id -> persistentLoad(id, storages, where));
            }
            Map<String, ByteBuffer> data = new HashMap<>();
            for (StorageRef storage : storages.values()) {
                String name = prefix + "data/" + storage.key();
                ZipEntry entry = zip.getEntry(name);
                if (entry == null) {
                    throw new IOException(where + ": the pickle references storage " + storage.key() + " but the"
                            + " archive has no entry " + name + " (truncated or corrupt file?)");
                }
                try (InputStream in = zip.getInputStream(entry)) {
                    data.put(storage.key(), ByteBuffer.wrap(in.readAllBytes()).order(ByteOrder.LITTLE_ENDIAN));
                }
            }
            return tensors(root, data, where);
        }
    }

    private static Map<String, TorchTensor> readLegacy(InputStream in, String where) throws IOException {
        Object magic = Pickle.load(in, where, TorchCheckpointReader::call, null);
        if (!LEGACY_MAGIC.equals(magic)) {
            throw new IOException(where + " is a pickle but not a PyTorch checkpoint (no PyTorch magic number)");
        }
        Object version = Pickle.load(in, where, TorchCheckpointReader::call, null);
        if (!Long.valueOf(LEGACY_PROTOCOL_VERSION).equals(version)) {
            throw new IOException(where + ": PyTorch legacy protocol version " + version + ", expected "
                    + LEGACY_PROTOCOL_VERSION);
        }
        Object sysInfo = Pickle.load(in, where, TorchCheckpointReader::call, null);
        if (sysInfo instanceof Map<?, ?> info && Boolean.FALSE.equals(info.get("little_endian"))) {
            throw new IOException(where + ": big-endian checkpoints are not supported");
        }
        Map<String, StorageRef> storages = new LinkedHashMap<>();
        Object root = Pickle.load(in, where, TorchCheckpointReader::call, id -> persistentLoad(id, storages, where));
        Object keys = Pickle.load(in, where, TorchCheckpointReader::call, null);
        if (!(keys instanceof List<?> keyList)) {
            throw new IOException(where + ": the storage key list is missing after the pickled dict");
        }
        Map<String, StorageType> types = new HashMap<>();
        for (StorageRef s : storages.values()) {
            types.put(s.key(), s.type());
        }
        Map<String, ByteBuffer> data = new HashMap<>();
        DataInputStream raw = new DataInputStream(in);
        for (Object key : keyList) {
            StorageType type = types.get(String.valueOf(key));
            if (type == null) {
                throw new IOException(where + ": storage " + key + " is listed but never referenced");
            }
            byte[] count = new byte[8];
            raw.readFully(count);
            long numel = ByteBuffer.wrap(count).order(ByteOrder.LITTLE_ENDIAN).getLong();
            byte[] bytes = new byte[Math.toIntExact(numel * type.bytes)];
            raw.readFully(bytes);
            data.put(String.valueOf(key), ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN));
        }
        return tensors(root, data, where);
    }

    /** The calls a state_dict pickle makes: OrderedDict() and the tensor rebuild functions. */
    static Object call(Pickle.Global global, List<Object> args) throws IOException {
        switch (global.toString()) {
            case "collections.OrderedDict" -> {
                Map<Object, Object> dict = new LinkedHashMap<>();
                // Python 2 pickles an OrderedDict as OrderedDict([[key, value], ...]).
                if (args.size() == 1 && args.get(0) instanceof List<?> pairs) {
                    for (Object pair : pairs) {
                        if (pair instanceof List<?> kv && kv.size() == 2) {
                            dict.put(kv.get(0), kv.get(1));
                        } else {
                            throw new IOException("OrderedDict item that is not a (key, value) pair");
                        }
                    }
                } else if (!args.isEmpty()) {
                    throw new IOException("OrderedDict called with " + args.size() + " arguments");
                }
                return dict;
            }
            case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor" -> {
                if (args.size() < 4 || !(args.get(0) instanceof StorageRef storage)) {
                    throw new IOException(global + " with unexpected arguments " + args);
                }
                return new TensorRef(storage, toLong(args.get(1)), longs(args.get(2)), longs(args.get(3)));
            }
            case "torch._utils._rebuild_parameter" -> {
                return args.get(0);
            }
            case "torch.Size" -> {
                // Older files may pickle sizes as torch.Size((...)), a tuple subclass.
                if (args.size() != 1 || !(args.get(0) instanceof List<?>)) {
                    throw new IOException("torch.Size with unexpected arguments " + args);
                }
                return args.get(0);
            }
            default -> throw new IOException("the pickle calls " + global + ", which a state_dict never does;"
                    + " save the weights with torch.save(model.state_dict(), path)");
        }
    }

    /** A persistent id {@code ('storage', torch.XStorage, key, location, numel[, view_metadata])}. */
    private static Object persistentLoad(Object id, Map<String, StorageRef> storages, String where) {
        if (!(id instanceof List<?> t) || t.size() < 5 || !"storage".equals(t.get(0))
                || !(t.get(1) instanceof Pickle.Global type)) {
            throw new IllegalStateException(where + ": unsupported persistent id " + id);
        }
        StorageType storageType;
        try {
            storageType = StorageType.valueOf(type.name());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(where + ": unsupported storage type " + type);
        }
        String key = String.valueOf(t.get(2));
        StorageRef root = storages.computeIfAbsent(key, k -> new StorageRef(k, storageType, 0, toLong(t.get(4))));
        if (t.size() > 5 && t.get(5) instanceof List<?> view) {
            // Legacy views: (view_key, offset, view_size) into the root storage.
            return new StorageRef(root.key(), storageType, toLong(view.get(1)), toLong(view.get(2)));
        }
        return root;
    }

    private static Map<String, TorchTensor> tensors(Object root, Map<String, ByteBuffer> data, String where)
            throws IOException {
        if (!(root instanceof Map<?, ?> dict)) {
            throw new IOException(where + " holds a " + (root == null ? "None" : root.getClass().getSimpleName())
                    + ", not a state_dict (a dict of tensors); save it with torch.save(model.state_dict(), path)");
        }
        Map<String, TorchTensor> tensors = new LinkedHashMap<>();
        List<String> notTensors = new ArrayList<>();
        for (Map.Entry<?, ?> e : dict.entrySet()) {
            if (e.getKey() instanceof String key && e.getValue() instanceof TensorRef tensor) {
                tensors.put(key, materialise(tensor, data.get(tensor.storage().key()), key, where));
            } else {
                notTensors.add(String.valueOf(e.getKey()));
            }
        }
        if (!notTensors.isEmpty()) {
            throw new IOException(where + " is not a state_dict: the entries " + notTensors + " are not tensors"
                    + " (a training checkpoint? save its model's state_dict instead)");
        }
        return tensors;
    }

    private static TorchTensor materialise(TensorRef t, ByteBuffer storage, String key, String where)
            throws IOException {
        StorageType type = t.storage().type();
        long base = t.storage().offset() + t.offset();
        long length = 1;
        long lastIndex = base;
        for (int d = 0; d < t.size().length; d++) {
            length *= t.size()[d];
            lastIndex += (t.size()[d] - 1) * t.stride()[d];
        }
        if (length > 0 && (storage == null || lastIndex >= storage.capacity() / type.bytes || base < 0)) {
            throw new IOException(where + ": tensor " + key + " " + java.util.Arrays.toString(t.size())
                    + " reaches past its storage (truncated or corrupt file?)");
        }
        float[] values = new float[Math.toIntExact(length)];
        if (values.length == 0) {
            return new TorchTensor(type.name(), t.size().clone(), values);
        }
        if (type == StorageType.FloatStorage && isContiguous(t.size(), t.stride())) {
            storage.duplicate().order(ByteOrder.LITTLE_ENDIAN).position(Math.toIntExact(base * 4)).asFloatBuffer()
                    .get(values);
            return new TorchTensor(type.name(), t.size().clone(), values);
        }
        int rank = t.size().length;
        long[] index = new long[rank];
        long offset = base;
        for (int i = 0; i < values.length; i++) {
            values[i] = type.get(storage, offset);
            // Odometer over the indices in C order, moving the storage offset by the strides.
            for (int d = rank - 1; d >= 0; d--) {
                if (++index[d] < t.size()[d]) {
                    offset += t.stride()[d];
                    break;
                }
                offset -= (t.size()[d] - 1) * t.stride()[d];
                index[d] = 0;
            }
        }
        return new TorchTensor(type.name(), t.size().clone(), values);
    }

    private static boolean isContiguous(long[] size, long[] stride) {
        long expected = 1;
        for (int d = size.length - 1; d >= 0; d--) {
            if (size[d] != 1 && stride[d] != expected) {
                return false;
            }
            expected *= size[d];
        }
        return true;
    }

    private static long toLong(Object o) {
        if (o instanceof Long l) {
            return l;
        }
        throw new IllegalStateException("an integer expected, found " + o);
    }

    private static long[] longs(Object o) throws IOException {
        if (!(o instanceof List<?> list)) {
            throw new IOException("a tuple of integers expected, found " + o);
        }
        long[] values = new long[list.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = toLong(list.get(i));
        }
        return values;
    }
}
