package dev.proxyanchor.model.pretrained;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Reads a PyTorch state_dict file without PyTorch, in both formats {@code torch.load} reads:
 * <ul>
 *   <li>the zip format (PyTorch 1.6 and later): {@code <name>/data.pkl} is the pickled dict whose tensors are
 *       {@code torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...)} calls and whose storages are
 *       persistent ids {@code ('storage', torch.FloatStorage, key, location, numel)} naming the entries
 *       {@code <name>/data/<key>} (raw little-endian elements);</li>
 *   <li>the legacy format (before 1.6; the BN-Inception and older torchvision files): the pickles of a magic number,
 *       the protocol version 1001 and system information, then the pickled dict, then the pickled list of storage
 *       keys, then per key an int64 element count and the raw elements.</li>
 * </ul>
 * The file holds either the state_dict itself ({@code torch.save(model.state_dict(), path)}) or the dict the official
 * Proxy-Anchor {@code train.py} saves around it, {@code {'model_state_dict': state_dict}}; only the state_dict's
 * storages are read. A pickle that calls anything but OrderedDict and the tensor rebuild functions is refused.
 *
 * <p>Every size a file declares is checked against what the file can hold before anything is allocated: the pickle
 * is at most {@value #MAX_PICKLE_BYTES} bytes; a legacy storage's element count must fit in the bytes left in the
 * file; a zip entry is read only up to the size its central directory declares, a stored entry must be as long
 * as that, and all entries read and tensors built together stay within {@value #MAX_EXPANSION} times the file's
 * size plus {@value #EXPANSION_SLACK_BYTES} bytes (a zip bomb's compressed entries cannot reach more). Any violation
 * is an {@link IOException} with a one-line message naming the file.
 */
public final class TorchCheckpointReader {

    /** The key under which the official {@code train.py} saves the model's state_dict. */
    public static final String OFFICIAL_CONTAINER_KEY = "model_state_dict";
    /** A state_dict's pickle takes tens of kilobytes (about 60 bytes per tensor). */
    static final long MAX_PICKLE_BYTES = 8L << 20;
    static final long MAX_EXPANSION = 8;
    static final long EXPANSION_SLACK_BYTES = 16L << 20;
    private static final int MAX_MESSAGE_CHARS = 2000;

    private static final int CENTRAL_ENTRY_BYTES = 46;
    private static final int ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
    private static final int ZIP64_END_SIGNATURE = 0x06064b50;
    private static final int ZIP64_LOCATOR_BYTES = 20;
    private static final int ZIP64_END_BYTES = 56;
    /** The end record, its longest comment and the zip64 locator before it. */
    private static final int ZIP_TAIL_BYTES = 22 + 65535 + ZIP64_LOCATOR_BYTES;
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
            int i = (int) (index * bytes);
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

    /**
     * The bytes a file may make the reader hold: storages read plus tensors built, at most {@value #MAX_EXPANSION}
     * times the file's size plus {@value #EXPANSION_SLACK_BYTES}.
     */
    private static final class Budget {
        private final String where;
        private final long fileBytes;
        private final long limit;
        private long used;

        Budget(String where, long fileBytes) {
            this.where = where;
            this.fileBytes = fileBytes;
            this.limit = fileBytes * MAX_EXPANSION + EXPANSION_SLACK_BYTES;
        }

        void take(long bytes, String what) throws IOException {
            if (bytes < 0 || bytes > limit - used) {
                throw new IOException(where + ": " + what + " would need " + bytes + " bytes, more than a " + fileBytes
                        + "-byte file can hold (corrupt file or zip bomb); re-save the checkpoint with torch.save");
            }
            used += bytes;
        }
    }

    /** Reads the state_dict in {@code file}, keys in file order. */
    public static Map<String, TorchTensor> read(Path file) throws IOException {
        return read(file, file.toString());
    }

    /**
     * Reads the state_dict from {@code in} (not closed), e.g. a file on HDFS; {@code where} names it in error
     * messages. The stream is copied to a temporary file first: the zip format is read from its central directory,
     * at the end, and every size the file declares is checked against the file's real size.
     */
    public static Map<String, TorchTensor> read(InputStream in, String where) throws IOException {
        Path copy = Files.createTempFile("checkpoint-", ".pth");
        try {
            Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
            return read(copy, where);
        } finally {
            Files.deleteIfExists(copy);
        }
    }

    private static Map<String, TorchTensor> read(Path file, String where) throws IOException {
        try {
            return readFile(file, where);
        } catch (IOException e) {
            String message = e.getMessage() != null && e.getMessage().contains(where) ? e.getMessage()
                    : where + ": " + e.getMessage() + " (truncated or corrupt file?)";
            throw new IOException(Pickle.printable(message, MAX_MESSAGE_CHARS), e);
        }
    }

    private static Map<String, TorchTensor> readFile(Path file, String where) throws IOException {
        long fileBytes = Files.size(file);
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(4);
        }
        if (head.length == 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
            return readZip(file, fileBytes, where);
        }
        if (head.length > 0 && (head[0] & 0xff) == 0x80) {
            try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
                return readLegacy(in, fileBytes, where);
            }
        }
        throw new IOException(where + " is not a PyTorch checkpoint: it is neither a zip archive (torch.save since"
                + " PyTorch 1.6) nor a legacy pickle file (before 1.6). Very old tar-format files are not supported:"
                + " re-save the state_dict with a current PyTorch.");
    }

    private static Map<String, TorchTensor> readZip(Path file, long fileBytes, String where) throws IOException {
        checkZip64EntryCounts(file, fileBytes, where);
        Budget budget = new Budget(where, fileBytes);
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
            if (byteorder != null && !new String(entryBytes(zip, byteorder, 16, budget, where),
                    StandardCharsets.US_ASCII).trim().equals("little")) {
                throw new IOException(where + ": big-endian checkpoints are not supported");
            }
            ZipEntry pickle = zip.getEntry(pickleEntry);
            Map<String, StorageRef> storages = new LinkedHashMap<>();
            Object root;
            try (InputStream in = new ByteArrayInputStream(entryBytes(zip, pickle, MAX_PICKLE_BYTES, budget, where))) {
                root = Pickle.load(in, where + "!" + pickleEntry, TorchCheckpointReader::call,
                        id -> persistentLoad(id, storages, where), MAX_PICKLE_BYTES);
            }
            Map<String, TensorRef> tensors = stateDict(root, where);
            Map<String, ByteBuffer> data = new HashMap<>();
            for (StorageRef storage : rootsOf(tensors, storages)) {
                String name = prefix + "data/" + storage.key();
                ZipEntry entry = zip.getEntry(name);
                if (entry == null) {
                    throw new IOException(where + ": the pickle references storage " + storage.key() + " but the"
                            + " archive has no entry " + name + " (truncated or corrupt file?)");
                }
                long expected = storageBytes(storage, where);
                if (entry.getSize() != expected) {
                    throw new IOException(where + ": entry " + name + " holds " + entry.getSize() + " bytes, the pickle"
                            + " declares " + storage.numel() + " " + storage.type() + " elements (" + expected
                            + " bytes): corrupt file");
                }
                data.put(storage.key(), ByteBuffer.wrap(entryBytes(zip, entry, expected, budget, where))
                        .order(ByteOrder.LITTLE_ENDIAN));
            }
            return materialise(tensors, data, budget, where);
        } catch (ZipException | IllegalArgumentException e) {
            // The JDK reports an entry name that is not valid UTF-8 as an IllegalArgumentException.
            throw new IOException(where + " is not a readable zip archive (" + e.getMessage() + "): truncated or"
                    + " corrupt file", e);
        }
    }

    /**
     * Refuses a zip64 end record declaring more entries than the file has room for. The JDK's zip reader sizes its
     * entry table by that count before reading a single entry (500 million entries made it allocate 6 GB here);
     * every central directory entry takes at least {@value #CENTRAL_ENTRY_BYTES} bytes. torch.save writes zip64 end
     * records, so they cannot simply be refused.
     */
    private static void checkZip64EntryCounts(Path file, long fileBytes, String where) throws IOException {
        int tail = (int) Math.min(fileBytes, ZIP_TAIL_BYTES);
        ByteBuffer end = ByteBuffer.allocate(tail).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer record = ByteBuffer.allocate(ZIP64_END_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel channel = FileChannel.open(file)) {
            channel.read(end, fileBytes - tail);
            for (int at = tail - ZIP64_LOCATOR_BYTES; at >= 0; at--) {
                if (end.getInt(at) != ZIP64_LOCATOR_SIGNATURE) {
                    continue;
                }
                long recordAt = end.getLong(at + 8);
                if (recordAt < 0 || recordAt > fileBytes - ZIP64_END_BYTES) {
                    continue;
                }
                record.clear();
                channel.read(record, recordAt);
                if (record.getInt(0) != ZIP64_END_SIGNATURE) {
                    continue;
                }
                long entries = Math.max(record.getLong(24), record.getLong(32));
                if (entries < 0 || entries > fileBytes / CENTRAL_ENTRY_BYTES) {
                    throw new IOException(where + ": its zip directory declares " + Long.toUnsignedString(entries)
                            + " entries, more than a " + fileBytes + "-byte file holds (corrupt file)");
                }
            }
        }
    }

    /**
     * The bytes of a zip entry, at most {@code max} and within the budget, read only as far as the size the central
     * directory declares: an entry that inflates to more than it declares is refused, however much more.
     */
    private static byte[] entryBytes(ZipFile zip, ZipEntry entry, long max, Budget budget, String where)
            throws IOException {
        long size = entry.getSize();
        if (size < 0 || size > max) {
            throw new IOException(where + ": zip entry " + entry.getName() + " declares " + size + " bytes, more"
                    + " than the " + max + " a PyTorch checkpoint's entry of this kind holds (corrupt file?)");
        }
        if (entry.getMethod() == ZipEntry.STORED && entry.getCompressedSize() != size) {
            throw new IOException(where + ": stored zip entry " + entry.getName() + " declares " + size
                    + " bytes but occupies " + entry.getCompressedSize() + " (corrupt file)");
        }
        budget.take(size, "zip entry " + entry.getName());
        try (InputStream in = zip.getInputStream(entry)) {
            byte[] bytes = in.readNBytes((int) size);
            if (bytes.length != size) {
                throw new EOFException(where + ": zip entry " + entry.getName() + " ends after " + bytes.length
                        + " of its " + size + " bytes (truncated or corrupt file)");
            }
            if (in.read() >= 0) {
                throw new IOException(where + ": zip entry " + entry.getName() + " holds more than the " + size
                        + " bytes it declares (corrupt file or zip bomb)");
            }
            return bytes;
        }
    }

    private static Map<String, TorchTensor> readLegacy(InputStream in, long fileBytes, String where)
            throws IOException {
        Budget budget = new Budget(where, fileBytes);
        CountingStream counted = new CountingStream(in);
        Object magic = Pickle.load(counted, where, TorchCheckpointReader::call, null, MAX_PICKLE_BYTES);
        if (!LEGACY_MAGIC.equals(magic)) {
            throw new IOException(where + " is a pickle but not a PyTorch checkpoint (no PyTorch magic number)");
        }
        Object version = Pickle.load(counted, where, TorchCheckpointReader::call, null, MAX_PICKLE_BYTES);
        if (!Long.valueOf(LEGACY_PROTOCOL_VERSION).equals(version)) {
            throw new IOException(where + ": PyTorch legacy protocol version " + version + ", expected "
                    + LEGACY_PROTOCOL_VERSION);
        }
        Object sysInfo = Pickle.load(counted, where, TorchCheckpointReader::call, null, MAX_PICKLE_BYTES);
        if (sysInfo instanceof Map<?, ?> info && Boolean.FALSE.equals(info.get("little_endian"))) {
            throw new IOException(where + ": big-endian checkpoints are not supported");
        }
        Map<String, StorageRef> storages = new LinkedHashMap<>();
        Object root = Pickle.load(counted, where, TorchCheckpointReader::call,
                id -> persistentLoad(id, storages, where), MAX_PICKLE_BYTES);
        Object keys = Pickle.load(counted, where, TorchCheckpointReader::call, null, MAX_PICKLE_BYTES);
        if (!(keys instanceof List<?> keyList)) {
            throw new IOException(where + ": the storage key list is missing after the pickled dict");
        }
        Map<String, TensorRef> tensors = stateDict(root, where);
        Set<String> needed = new HashSet<>();
        for (StorageRef s : rootsOf(tensors, storages)) {
            needed.add(s.key());
        }
        Map<String, ByteBuffer> data = new HashMap<>();
        Set<String> seen = new HashSet<>();
        byte[] count = new byte[8];
        for (Object key : keyList) {
            StorageRef storage = storages.get(String.valueOf(key));
            if (storage == null) {
                throw new IOException(where + ": storage " + key + " is listed but never referenced (corrupt file)");
            }
            if (!seen.add(storage.key())) {
                throw new IOException(where + ": storage " + key + " is listed twice (corrupt file)");
            }
            if (counted.readNBytes(count, 0, 8) != 8) {
                throw new EOFException(where + ": the file ends before storage " + key + " (truncated file)");
            }
            long numel = ByteBuffer.wrap(count).order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (numel != storage.numel()) {
                throw new IOException(where + ": storage " + key + " holds " + numel + " elements, the pickle declares "
                        + storage.numel() + " (corrupt file)");
            }
            long bytes = storageBytes(storage, where);
            long left = fileBytes - counted.count();
            if (bytes > left) {
                throw new EOFException(where + ": storage " + key + " needs " + bytes + " bytes, only " + left
                        + " are left in the file (truncated or corrupt file)");
            }
            if (!needed.contains(storage.key())) {
                counted.skipNBytes(bytes);
                continue;
            }
            budget.take(bytes, "storage " + key);
            byte[] raw = counted.readNBytes((int) bytes);
            if (raw.length != bytes) {
                throw new EOFException(where + ": the file ends inside storage " + key + " (truncated file)");
            }
            data.put(storage.key(), ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN));
        }
        return materialise(tensors, data, budget, where);
    }

    private static long storageBytes(StorageRef storage, String where) throws IOException {
        long bytes;
        try {
            bytes = Math.multiplyExact(storage.numel(), storage.type().bytes);
        } catch (ArithmeticException e) {
            bytes = -1;
        }
        if (storage.numel() < 0 || bytes < 0 || bytes > Integer.MAX_VALUE - 16) {
            throw new IOException(where + ": storage " + storage.key() + " declares " + storage.numel() + " "
                    + storage.type() + " elements, outside what a checkpoint of these networks holds (corrupt file;"
                    + " storages over 2 GiB are not supported)");
        }
        return bytes;
    }

    /** The root storages of {@code tensors}, each once. */
    private static List<StorageRef> rootsOf(Map<String, TensorRef> tensors, Map<String, StorageRef> storages) {
        Set<String> keys = new HashSet<>();
        List<StorageRef> roots = new ArrayList<>();
        for (TensorRef t : tensors.values()) {
            if (keys.add(t.storage().key())) {
                roots.add(storages.get(t.storage().key()));
            }
        }
        return roots;
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
                    throw new IOException(global + " with unexpected arguments " + Pickle.show(args));
                }
                return new TensorRef(storage, toLong(args.get(1)), longs(args.get(2)), longs(args.get(3)));
            }
            case "torch._utils._rebuild_parameter" -> {
                if (args.isEmpty()) {
                    throw new IOException(global + " without arguments");
                }
                return args.get(0);
            }
            case "torch.Size" -> {
                // Older files may pickle sizes as torch.Size((...)), a tuple subclass.
                if (args.size() != 1 || !(args.get(0) instanceof List<?>)) {
                    throw new IOException("torch.Size with unexpected arguments " + Pickle.show(args));
                }
                return args.get(0);
            }
            default -> throw new IOException("the pickle calls " + global + ", which a state_dict never does;"
                    + " save the weights with torch.save(model.state_dict(), path)");
        }
    }

    /** A persistent id {@code ('storage', torch.XStorage, key, location, numel[, view_metadata])}. */
    private static Object persistentLoad(Object id, Map<String, StorageRef> storages, String where)
            throws IOException {
        if (!(id instanceof List<?> t) || t.size() < 5 || !"storage".equals(t.get(0))
                || !(t.get(1) instanceof Pickle.Global type) || !type.module().equals("torch")) {
            throw new IOException(where + ": unsupported persistent id " + Pickle.show(id));
        }
        StorageType storageType;
        try {
            storageType = StorageType.valueOf(type.name());
        } catch (IllegalArgumentException e) {
            throw new IOException(where + ": unsupported storage type " + type);
        }
        String key = String.valueOf(t.get(2));
        long numel = toLong(t.get(4));
        StorageRef root = storages.get(key);
        if (root == null) {
            root = new StorageRef(key, storageType, 0, numel);
            storages.put(key, root);
        } else if (root.type() != storageType || root.numel() != numel) {
            throw new IOException(where + ": storage " + key + " is declared twice, as " + root.numel() + " "
                    + root.type() + " and as " + numel + " " + storageType + " (corrupt file)");
        }
        if (t.size() > 5 && t.get(5) instanceof List<?> view) {
            // Legacy views: (view_key, offset, view_size) into the root storage.
            if (view.size() < 3) {
                throw new IOException(where + ": unsupported storage view " + Pickle.show(view));
            }
            long offset = toLong(view.get(1));
            long size = toLong(view.get(2));
            if (offset < 0 || size < 0 || offset > numel || size > numel - offset) {
                throw new IOException(where + ": storage view " + Pickle.show(view) + " reaches past storage " + key
                        + " of " + numel + " elements (corrupt file)");
            }
            return new StorageRef(root.key(), storageType, offset, size);
        }
        return root;
    }

    /**
     * The state_dict in the unpickled {@code root}: the root itself, or the {@value #OFFICIAL_CONTAINER_KEY} entry
     * of the official code's checkpoint dict.
     */
    private static Map<String, TensorRef> stateDict(Object root, String where) throws IOException {
        if (!(root instanceof Map<?, ?> dict)) {
            throw new IOException(where + " holds a " + (root == null ? "None" : root.getClass().getSimpleName())
                    + ", not a state_dict (a dict of tensors); save it with torch.save(model.state_dict(), path)");
        }
        if (dict.get(OFFICIAL_CONTAINER_KEY) instanceof Map<?, ?> inner) {
            return tensorsOf(inner, where + " (" + OFFICIAL_CONTAINER_KEY + ")");
        }
        return tensorsOf(dict, where);
    }

    private static Map<String, TensorRef> tensorsOf(Map<?, ?> dict, String where) throws IOException {
        Map<String, TensorRef> tensors = new LinkedHashMap<>();
        List<String> notTensors = new ArrayList<>();
        for (Map.Entry<?, ?> e : dict.entrySet()) {
            if (e.getKey() instanceof String key && e.getValue() instanceof TensorRef tensor) {
                tensors.put(key, tensor);
            } else {
                notTensors.add(String.valueOf(e.getKey()));
            }
        }
        if (!notTensors.isEmpty()) {
            List<String> shown = notTensors.size() <= 5 ? notTensors : notTensors.subList(0, 5);
            throw new IOException(where + " is not a state_dict: the entries " + shown
                    + (notTensors.size() > shown.size() ? " and " + (notTensors.size() - shown.size()) + " more" : "")
                    + " are not tensors (a training checkpoint? save its model's state_dict, or {'"
                    + OFFICIAL_CONTAINER_KEY + "': model.state_dict()} as the official train.py does)");
        }
        return tensors;
    }

    private static Map<String, TorchTensor> materialise(Map<String, TensorRef> refs, Map<String, ByteBuffer> data,
            Budget budget, String where) throws IOException {
        Map<String, TorchTensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, TensorRef> e : refs.entrySet()) {
            tensors.put(e.getKey(), materialise(e.getValue(), data.get(e.getValue().storage().key()), e.getKey(),
                    budget, where));
        }
        return tensors;
    }

    private static TorchTensor materialise(TensorRef t, ByteBuffer storage, String key, Budget budget, String where)
            throws IOException {
        StorageType type = t.storage().type();
        long base = t.storage().offset() + t.offset();
        long available = t.storage().offset() + t.storage().numel();
        long length = 1;
        long lastIndex = base;
        boolean valid = t.offset() >= 0 && t.size().length == t.stride().length && t.size().length <= 16;
        try {
            for (int d = 0; valid && d < t.size().length; d++) {
                valid = t.size()[d] >= 0 && t.stride()[d] >= 0;
                length = Math.multiplyExact(length, t.size()[d]);
                if (t.size()[d] > 0) {
                    lastIndex = Math.addExact(lastIndex, Math.multiplyExact(t.size()[d] - 1, t.stride()[d]));
                }
            }
        } catch (ArithmeticException e) {
            valid = false;
        }
        if (!valid) {
            throw new IOException(where + ": tensor " + key + " has size " + Arrays.toString(t.size()) + " and strides "
                    + Arrays.toString(t.stride()) + ", which no tensor has (corrupt file)");
        }
        if (length > 0 && (storage == null || lastIndex >= available)) {
            throw new IOException(where + ": tensor " + key + " " + Arrays.toString(t.size())
                    + " reaches past its storage (truncated or corrupt file?)");
        }
        if (length > Integer.MAX_VALUE - 16) {
            throw new IOException(where + ": tensor " + key + " " + Arrays.toString(t.size()) + " has more elements"
                    + " than a Java array holds");
        }
        budget.take(length * Float.BYTES, "tensor " + key + " " + Arrays.toString(t.size()));
        float[] values = new float[(int) length];
        if (values.length == 0) {
            return new TorchTensor(type.name(), t.size().clone(), values);
        }
        if (type == StorageType.FloatStorage && isContiguous(t.size(), t.stride())) {
            storage.duplicate().order(ByteOrder.LITTLE_ENDIAN).position((int) (base * 4)).asFloatBuffer().get(values);
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

    private static long toLong(Object o) throws IOException {
        if (o instanceof Long l) {
            return l;
        }
        throw new IOException("an integer (at most 64 bits) expected, found " + (o == null ? "None"
                : o instanceof BigInteger ? "a " + ((BigInteger) o).bitLength() + "-bit integer"
                : o.getClass().getSimpleName()));
    }

    private static long[] longs(Object o) throws IOException {
        if (!(o instanceof List<?> list)) {
            throw new IOException("a tuple of integers expected, found " + (o == null ? "None"
                    : o.getClass().getSimpleName()));
        }
        long[] values = new long[list.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = toLong(list.get(i));
        }
        return values;
    }

    /** Counts the bytes read through it, so that a declared size can be checked against what is left. */
    private static final class CountingStream extends FilterInputStream {
        private long count;

        CountingStream(InputStream in) {
            super(in);
        }

        long count() {
            return count;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            count += skipped;
            return skipped;
        }

        @Override
        public boolean markSupported() {
            return false;
        }
    }
}
