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
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** One case of the shared Proxy-Anchor reference data (format: the folder's README). */
record ReferenceCase(String name, Path file, JsonNode json) {

    static final String FOLDER_PROPERTY = "proxyanchor.cases";

    /** The folder named by -Dproxyanchor.cases, else the project's shared reference cases. */
    static Path folder() {
        String configured = System.getProperty(FOLDER_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return Paths.get(configured);
        }
        Path dir = Paths.get("").toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            Path candidate = d.resolve("shared/testdata/proxy-anchor-cases");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("no shared/testdata/proxy-anchor-cases above " + dir
                + "; pass -D" + FOLDER_PROPERTY + "=DIR");
    }

    static List<ReferenceCase> all() {
        Path folder = folder();
        try (Stream<Path> files = Files.list(folder)) {
            List<ReferenceCase> cases = files
                    .filter(p -> p.getFileName().toString().endsWith(".json"))
                    .filter(p -> !p.getFileName().toString().equals("index.json"))
                    .sorted()
                    .map(ReferenceCase::read)
                    .toList();
            if (cases.isEmpty()) {
                throw new IllegalStateException("no reference cases (*.json) in " + folder);
            }
            return cases;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ReferenceCase read(Path file) {
        try {
            JsonNode json = new ObjectMapper().readTree(file.toFile());
            return new ReferenceCase(json.get("name").asText(), file, json);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read reference case " + file, e);
        }
    }

    int b() {
        return json.get("B").asInt();
    }

    int c() {
        return json.get("C").asInt();
    }

    double alpha() {
        return json.get("alpha").asDouble();
    }

    double margin() {
        return json.get("mrg").asDouble();
    }

    INDArray input(String key, DataType type) {
        return array(json.get("inputs").get(key), type);
    }

    INDArray expected(String key) {
        return array(json.get("expected_float64").get(key), DataType.DOUBLE);
    }

    double expectedScalar(String key) {
        return json.get("expected_float64").get(key).asDouble();
    }

    double tolerance(String key) {
        return json.get("suggested_tolerance").get(key).asDouble();
    }

    INDArray oneHotLabels(DataType type) {
        INDArray oneHot = Nd4j.zeros(type, b(), c());
        JsonNode labels = json.get("inputs").get("labels");
        for (int i = 0; i < labels.size(); i++) {
            oneHot.putScalar(i, labels.get(i).asInt(), 1.0);
        }
        return oneHot;
    }

    private static INDArray array(JsonNode node, DataType type) {
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
        return Nd4j.create(values, shape, 'c').castTo(type);
    }

    @Override
    public String toString() {
        return name;
    }
}
