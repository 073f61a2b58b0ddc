package dev.proxyanchor.datasets.mat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxyanchor.datasets.MatFileWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MatFileReaderTest {

    private static Map<String, MatArray> sampleVariables() {
        Map<String, MatArray> variables = new LinkedHashMap<>();
        variables.put("small", new MatArray.Numeric(new int[] {1, 3}, new double[] {1, 2, 255}));
        variables.put("wide", new MatArray.Numeric(new int[] {2, 1}, new double[] {300, 65535}));
        variables.put("real", new MatArray.Numeric(new int[] {1, 2}, new double[] {-1.5, 3.25}));
        variables.put("name", new MatArray.Chars(new int[] {1, 18}, "car_ims/000001.jpg"));
        Map<String, MatArray> element = new LinkedHashMap<>();
        element.put("a", new MatArray.Chars(new int[] {1, 1}, "x"));
        element.put("class", new MatArray.Numeric(new int[] {1, 1}, new double[] {196}));
        variables.put("s", new MatArray.Struct(new int[] {1, 1}, List.of("a", "class"), List.of(element)));
        variables.put("c", new MatArray.Cell(new int[] {1, 2}, List.of(
                new MatArray.Chars(new int[] {1, 2}, "ab"), new MatArray.Numeric(new int[] {1, 1}, new double[] {7}))));
        return variables;
    }

    @Test
    void readsWhatMatlabsConventionsWrite() {
        Map<String, MatArray> written = sampleVariables();
        Map<String, MatArray> read = MatFileReader.read(MatFileWriter.write(written, Set.of("s", "wide")), "t.mat");
        assertEquals(List.copyOf(written.keySet()), List.copyOf(read.keySet()));
        assertArrayEquals(new double[] {1, 2, 255}, ((MatArray.Numeric) read.get("small")).values());
        assertArrayEquals(new double[] {300, 65535}, ((MatArray.Numeric) read.get("wide")).values());
        assertArrayEquals(new int[] {2, 1}, read.get("wide").dims());
        assertArrayEquals(new double[] {-1.5, 3.25}, ((MatArray.Numeric) read.get("real")).values());
        assertEquals("car_ims/000001.jpg", ((MatArray.Chars) read.get("name")).text());
        MatArray.Struct s = (MatArray.Struct) read.get("s");
        assertEquals(List.of("a", "class"), s.fields());
        assertEquals("x", ((MatArray.Chars) s.elements().get(0).get("a")).text());
        assertArrayEquals(new double[] {196}, ((MatArray.Numeric) s.elements().get(0).get("class")).values());
        MatArray.Cell c = (MatArray.Cell) read.get("c");
        assertEquals("ab", ((MatArray.Chars) c.cells().get(0)).text());
        assertEquals("1x2 cell", c.describe());
    }

    @Test
    void compressedAndPlainElementsReadTheSame() {
        Map<String, MatArray> written = sampleVariables();
        byte[] plain = MatFileWriter.write(written, Set.of());
        byte[] compressed = MatFileWriter.write(written, written.keySet());
        assertTrue(compressed.length != plain.length);
        assertEquals(MatFileReader.read(plain, "plain.mat").keySet(),
                MatFileReader.read(compressed, "compressed.mat").keySet());
        assertEquals("car_ims/000001.jpg",
                ((MatArray.Chars) MatFileReader.read(compressed, "compressed.mat").get("name")).text());
    }

    @Test
    void truncatedFileIsNamed() {
        byte[] bytes = MatFileWriter.write(sampleVariables(), Set.of());
        MatFormatException e = assertThrows(MatFormatException.class,
                () -> MatFileReader.read(Arrays.copyOf(bytes, bytes.length - 20), "cut.mat"));
        assertTrue(e.getMessage().startsWith("cut.mat is truncated"), e.getMessage());
    }

    @Test
    void hdf5BasedV73FileIsExplained() {
        byte[] header = Arrays.copyOf(
                "MATLAB 7.3 MAT-file, Platform: GLNXA64".getBytes(StandardCharsets.US_ASCII), 512);
        MatFormatException e = assertThrows(MatFormatException.class, () -> MatFileReader.read(header, "new.mat"));
        assertTrue(e.getMessage().contains("v7.3") && e.getMessage().contains("-v7"), e.getMessage());
    }
}
