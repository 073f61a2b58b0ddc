package dev.proxyanchor.model.checkpoint;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.proxyanchor.model.UserInputException;
import dev.proxyanchor.model.loss.Losses;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A trained network with its optimizer state and training state. On disk it is two files side by side, so that
 * the network also opens with DL4J's own {@code ModelSerializer}: {@value #MODEL_FILE} (graph configuration,
 * parameters, updater state) and {@value #STATE_FILE}. Parameters and optimizer state round-trip bit-exactly.
 *
 * <p>{@value #STATE_FILE} carries its format in {@value #FORMAT_FIELD}; every format this version reads is stored
 * under the model module's {@code src/test/resources/checkpoint-formats/} and loaded by a test:
 * <ol>
 *   <li>the {@link TrainingState} fields, Proxy-Anchor only (a file without {@value #FORMAT_FIELD} is format 1);</li>
 *   <li>the recipe names its {@code loss} and counts {@code numClasses} (format 1's {@code numProxies}); a format 1
 *       file reads as Proxy_Anchor.</li>
 *   <li>a run with {@code --val-classes} records its {@link ValidationSplit} ({@code validationSplit}: the held-out
 *       classes and the dataset class of each training label); a file without it reads as a run on every class.</li>
 * </ol>
 * {@code model.zip} names DL4J's and our classes (layer configurations, the loss, updaters, schedules) by their
 * fully qualified names: moving or renaming one of them breaks every stored checkpoint.
 */
public record Checkpoint(ComputationGraph graph, TrainingState state) {

    public static final String MODEL_FILE = "model.zip";
    public static final String STATE_FILE = "training.json";
    /** The {@value #STATE_FILE} format this version writes; it reads this one and every earlier one. */
    public static final int STATE_FORMAT = 3;
    static final String FORMAT_FIELD = "format";

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** Writes {@value #MODEL_FILE}; the caller owns (and closes) the stream. */
    public void writeModel(OutputStream out) throws IOException {
        ModelSerializer.writeModel(graph, new NonClosing(out), true);
    }

    /** Writes {@value #STATE_FILE}; the caller owns (and closes) the stream. */
    public void writeState(OutputStream out) throws IOException {
        ObjectNode json = JSON.createObjectNode().put(FORMAT_FIELD, STATE_FORMAT);
        json.setAll((ObjectNode) JSON.valueToTree(state));
        JSON.writeValue(new NonClosing(out), json);
    }

    public static Checkpoint read(InputStream model, InputStream state, String where) throws IOException {
        ComputationGraph graph;
        try {
            graph = ModelSerializer.restoreComputationGraph(model, true);
        } catch (RuntimeException | IOException e) {
            // This tool writes a checkpoint whole before renaming it into place, so a damaged one was cut or
            // changed afterwards (a full disk, a partial copy) or comes from elsewhere.
            throw new UserInputException("cannot read the network of checkpoint " + where + " (" + MODEL_FILE
                    + "): the file is truncated or corrupt (" + e.getMessage() + "); copy it again from where it "
                    + "came from, or use another checkpoint (a run's best/ and last/ are both complete)", e);
        }
        return new Checkpoint(graph, readState(state, where));
    }

    private static TrainingState readState(InputStream in, String where) {
        try {
            JsonNode json = JSON.readTree(in);
            int format = json.path(FORMAT_FIELD).asInt(1);
            if (format > STATE_FORMAT) {
                throw new UserInputException(STATE_FILE + " of checkpoint " + where + " has format " + format
                        + "; this version reads formats up to " + STATE_FORMAT
                        + ": load it with the newer proxyanchor-spark that wrote it");
            }
            if (format == 1) {
                upgradeFromFormat1((ObjectNode) json.get("recipe"));
            }
            return JSON.treeToValue(json, TrainingState.class);
        } catch (IOException e) {
            throw new UserInputException("cannot read " + STATE_FILE + " of checkpoint " + where + ": "
                    + e.getMessage(), e);
        }
    }

    /** Format 1 trained Proxy-Anchor only and called the number of training classes the number of proxies. */
    private static void upgradeFromFormat1(ObjectNode recipe) {
        recipe.set("numClasses", recipe.remove("numProxies"));
        recipe.put("loss", Losses.PROXY_ANCHOR);
    }

    /**
     * Fails, listing every difference, unless {@code actual} has exactly the parameters (names and shapes) of
     * {@code expected}. A checkpoint never loads partially.
     */
    public static void requireSameParameters(ComputationGraph expected, ComputationGraph actual, String where) {
        Map<String, INDArray> want = expected.paramTable();
        Map<String, INDArray> got = actual.paramTable();
        List<String> problems = new ArrayList<>();
        for (String key : new TreeSet<>(want.keySet())) {
            INDArray g = got.get(key);
            if (g == null) {
                problems.add("missing " + key + " " + Arrays.toString(want.get(key).shape()));
            } else if (!Arrays.equals(g.shape(), want.get(key).shape())) {
                problems.add(key + " has shape " + Arrays.toString(g.shape()) + ", expected "
                        + Arrays.toString(want.get(key).shape()));
            }
        }
        for (String key : new TreeSet<>(got.keySet())) {
            if (!want.containsKey(key)) {
                problems.add("unexpected " + key + " " + Arrays.toString(got.get(key).shape()));
            }
        }
        if (!problems.isEmpty()) {
            throw new UserInputException("checkpoint " + where + " does not fit the network the flags describe ("
                    + problems.size() + " problems): " + String.join("; ", problems)
                    + ". Use the same --model, --embedding-size, --loss and dataset as the run that wrote it.");
        }
    }

    /** ModelSerializer and Jackson close the stream they are given; the callers here own theirs. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
