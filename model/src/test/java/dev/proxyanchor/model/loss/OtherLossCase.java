package dev.proxyanchor.model.loss;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One reference case of the official code's five other losses (format: the shared folder's README): inputs, the mined
 * tuples, the float64 loss and gradients and the float32 loss of pytorch-metric-learning 0.9.89.
 */
public record OtherLossCase(String name, JsonNode json) {

    static final String FOLDER_PROPERTY = "proxyanchor.other-loss-cases";

    /** The folder named by -Dproxyanchor.other-loss-cases, else shared/testdata/other-losses-cases found upward. */
    static Path folder() {
        return CaseFiles.folder(FOLDER_PROPERTY, "other-losses-cases");
    }

    /** Every case of the folder (every *.json but index.json), by file name. */
    public static List<OtherLossCase> all() {
        return CaseFiles.readAll(folder()).stream()
                .map(json -> new OtherLossCase(json.get("name").asText(), json))
                .toList();
    }

    /** The cases of one {@code --loss}. */
    public static List<OtherLossCase> of(String loss) {
        List<OtherLossCase> cases = new ArrayList<>();
        for (OtherLossCase c : all()) {
            if (c.loss().equals(loss)) {
                cases.add(c);
            }
        }
        return cases;
    }

    /** The official {@code --loss} name of the case. */
    public String loss() {
        return json.get("loss").asText();
    }

    public int[] labels() {
        return ints(json.get("inputs").get("labels"));
    }

    /** C: the case's own for Proxy_NCA, else one past the largest label. */
    public int numClasses() {
        if (json.has("C")) {
            return json.get("C").asInt();
        }
        int max = 0;
        for (int label : labels()) {
            max = Math.max(max, label);
        }
        return max + 1;
    }

    public INDArray oneHotLabels(DataType type) {
        int[] labels = labels();
        INDArray oneHot = Nd4j.zeros(type, labels.length, numClasses());
        for (int i = 0; i < labels.length; i++) {
            oneHot.putScalar(i, labels[i], 1.0);
        }
        return oneHot;
    }

    public INDArray input(String key, DataType type) {
        return CaseFiles.array(json.get("inputs").get(key)).castTo(type);
    }

    public INDArray expected(String key) {
        return CaseFiles.array(json.get("expected_float64").get(key));
    }

    public double expectedLoss() {
        return json.get("expected_float64").get("loss").asDouble();
    }

    /** A part of the float64 expectation ({@code parts}), or null when the case has none of that name. */
    public JsonNode part(String key) {
        return json.get("expected_float64").path("parts").get(key);
    }

    public double expectedFloat32Loss() {
        return json.get("expected_float32_loss").asDouble();
    }

    /** False only where float32 PML mined (or kept) other tuples than float64, so that its loss is not comparable. */
    public boolean float32SameSelection() {
        JsonNode same = json.get("float32_same_selection");
        return same == null || same.isNull() || same.asBoolean();
    }

    public int[] mined(String key) {
        return ints(json.get("mined").get(key));
    }

    public boolean hasMined() {
        return json.has("mined") && !json.get("mined").isNull();
    }

    /** Pairs (anchors[k], others[k]) as a sorted list of "anchor-other": the pairs as a set, printable. */
    public static List<String> pairSet(int[] anchors, int[] others) {
        List<String> out = new ArrayList<>();
        for (int k = 0; k < anchors.length; k++) {
            out.add(anchors[k] + "-" + others[k]);
        }
        out.sort(null);
        return out;
    }

    public double tolerance(String key) {
        return json.get("suggested_tolerance").get(key).asDouble();
    }

    private static int[] ints(JsonNode node) {
        int[] out = new int[node.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = node.get(i).asInt();
        }
        return out;
    }

    @Override
    public String toString() {
        return name;
    }
}
