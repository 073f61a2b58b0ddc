package dev.proxyanchor.model.pretrained;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pickle subset reader executes nothing and refuses what a state_dict never contains. */
class PickleTest {

    private static final Pickle.Calls ORDERED_DICT_ONLY = (global, args) -> {
        if (global.toString().equals("collections.OrderedDict")) {
            return new java.util.LinkedHashMap<>();
        }
        throw new IOException("not allowed: " + global);
    };

    @Test
    void aCallOfAnyOtherGlobalIsRefusedByName() {
        // pickle.dumps(os.system, ...) style: GLOBAL 'posix system', ('echo pwned',), REDUCE
        byte[] pickle = bytes(0x80, 2, 'c', "posix\nsystem\n", 'X', le4(10), "echo pwned", 0x85, 'R', '.');
        IOException e = assertThrows(IOException.class, () -> load(pickle));
        assertTrue(e.getMessage().contains("posix.system"), e.getMessage());
    }

    @Test
    void dictListTupleMemoStringsAndIntegers() throws IOException {
        // {'a': 1, 'b': (-2, 3.5, True, None), u'c': [60000, 2**70], 'd': <the same list>}, Python 2 byte strings
        byte[] pickle = bytes(0x80, 2, '}', 'q', 0, '(',
                'U', 1, "a", 'K', 1,
                'U', 1, "b", '(', 'J', le4(-2), 'G', be8(3.5), 0x88, 'N', 't',
                'X', le4(1), "c", ']', 'q', 1, '(', 'M', le2(60000), 0x8a, 9, twoToThe70(), 'e',
                'U', 1, "d", 'h', 1,
                'u', '.');
        @SuppressWarnings("unchecked")
        Map<Object, Object> dict = (Map<Object, Object>) load(pickle);
        assertEquals(1L, dict.get("a"));
        assertEquals(Arrays.asList(-2L, 3.5, true, null), dict.get("b"));
        assertEquals(List.of(60000L, BigInteger.ONE.shiftLeft(70)), dict.get("c"));
        assertSame(dict.get("c"), dict.get("d"), "the memo returns the same list");
    }

    @Test
    void python2OrderedDictOfPairs() throws IOException {
        Object dict = TorchCheckpointReader.call(new Pickle.Global("collections", "OrderedDict"),
                List.of(List.of(List.of("conv1.weight", 1L), List.of("bn1.bias", 2L))));
        assertEquals(List.of("conv1.weight", "bn1.bias"), List.copyOf(((Map<?, ?>) dict).keySet()));
    }

    @Test
    void aTensorRebuildOfAnUnknownFunctionIsRefused() {
        IOException e = assertThrows(IOException.class, () -> TorchCheckpointReader.call(
                new Pickle.Global("torch._utils", "_rebuild_qtensor"), List.of()));
        assertTrue(e.getMessage().contains("torch._utils._rebuild_qtensor"), e.getMessage());
    }

    @Test
    void aTruncatedPickleIsReportedAsSuch() {
        IOException e = assertThrows(IOException.class, () -> load(bytes(0x80, 2, '}', 'q')));
        assertTrue(e.getMessage().contains("ends early"), e.getMessage());
    }

    private static Object load(byte[] pickle) throws IOException {
        return Pickle.load(new ByteArrayInputStream(pickle), "test", ORDERED_DICT_ONLY, null, 1 << 20);
    }

    private static byte[] bytes(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object part : parts) {
            if (part instanceof Integer i) {
                out.write(i);
            } else if (part instanceof Character c) {
                out.write(c);
            } else if (part instanceof String s) {
                out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            } else if (part instanceof byte[] b) {
                out.writeBytes(b);
            } else {
                throw new IllegalArgumentException(String.valueOf(part));
            }
        }
        return out.toByteArray();
    }

    private static byte[] le4(int v) {
        return new byte[] {(byte) v, (byte) (v >> 8), (byte) (v >> 16), (byte) (v >> 24)};
    }

    private static byte[] le2(int v) {
        return new byte[] {(byte) v, (byte) (v >> 8)};
    }

    private static byte[] be8(double d) {
        long bits = Double.doubleToLongBits(d);
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (bits >>> (56 - 8 * i));
        }
        return b;
    }

    /** 2**70 as LONG1 payload: 9 little-endian two's complement bytes. */
    private static byte[] twoToThe70() {
        byte[] b = new byte[9];
        b[8] = 0x40;
        return b;
    }
}
