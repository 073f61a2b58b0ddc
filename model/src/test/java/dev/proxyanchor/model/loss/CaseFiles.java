package dev.proxyanchor.model.loss;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Stream;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The shared reference-case folders: where they are, their case files, and their arrays. */
final class CaseFiles {

    private CaseFiles() {
    }

    /** The folder named by the system property, else {@code shared/testdata/<name>} found upward from here. */
    static Path folder(String property, String name) {
        String configured = System.getProperty(property);
        if (configured != null && !configured.isBlank()) {
            return Paths.get(configured);
        }
        Path dir = Paths.get("").toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            Path candidate = d.resolve("shared/testdata").resolve(name);
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("no shared/testdata/" + name + " above " + dir + "; pass -D" + property
                + "=DIR");
    }

    /** Every case (each *.json but index.json) of a folder, by file name. */
    static List<JsonNode> readAll(Path folder) {
        try (Stream<Path> files = Files.list(folder)) {
            List<JsonNode> cases = files
                    .filter(p -> p.getFileName().toString().endsWith(".json"))
                    .filter(p -> !p.getFileName().toString().equals("index.json"))
                    .sorted()
                    .map(CaseFiles::read)
                    .toList();
            if (cases.isEmpty()) {
                throw new IllegalStateException("no reference cases (*.json) in " + folder);
            }
            return cases;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode read(Path file) {
        try {
            return new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read reference case " + file, e);
        }
    }

    /** A float64 array of the {@code {"shape": [...], "data": [...]}} form, row-major. */
    static INDArray array(JsonNode node) {
        JsonNode shapeNode = node.get("shape");
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = shapeNode.get(i).asLong();
        }
        JsonNode data = node.get("data");
        double[] values = new double[data.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = data.get(i).asDouble();
        }
        return Nd4j.create(values, shape, 'c');
    }
}
