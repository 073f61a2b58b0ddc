package dev.proxyanchor.model.loss;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** One case of the shared Proxy-Anchor reference data (format: the folder's README). */
record ReferenceCase(String name, JsonNode json) {

    static final String FOLDER_PROPERTY = "proxyanchor.cases";

    /** The folder named by -Dproxyanchor.cases, else the project's shared reference cases. */
    static Path folder() {
        return CaseFiles.folder(FOLDER_PROPERTY, "proxy-anchor-cases");
    }

    static List<ReferenceCase> all() {
        return CaseFiles.readAll(folder()).stream()
                .map(json -> new ReferenceCase(json.get("name").asText(), json))
                .toList();
    }

    static ReferenceCase read(Path file) {
        JsonNode json = CaseFiles.read(file);
        return new ReferenceCase(json.get("name").asText(), json);
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
        return CaseFiles.array(json.get("inputs").get(key)).castTo(type);
    }

    INDArray expected(String key) {
        return CaseFiles.array(json.get("expected_float64").get(key));
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

    @Override
    public String toString() {
        return name;
    }
}
