package dev.proxyanchor.model.pretrained;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.proxyanchor.model.EmbeddingNetwork;
import dev.proxyanchor.model.backbones.Backbone;
import dev.proxyanchor.model.backbones.Backbones;
import dev.proxyanchor.model.recipe.Recipe;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Official PyTorch checkpoint -> here -> official, against the official wrappers rebuilt in
 * {@code parity/official_wrappers.py} with Debian's PyTorch: random weights with non-trivial BatchNorm statistics,
 * saved as the official {@code train.py} saves them. Loaded here, every tensor is used or ignored by name and the
 * embeddings match PyTorch's; exported back, the official wrapper loads the file with {@code strict=True} (and
 * {@code weights_only=True}), every tensor equals the original (the classifier taken from the original as the run's
 * source file), and the embeddings are PyTorch's again.
 */
class OfficialInteropTest {

    private static final List<String> MODELS = List.of("bn_inception", "resnet18", "resnet50", "googlenet");
    private static final int EMBEDDING_SIZE = 32;
    private static final double TOLERANCE = 1e-4;

    @TempDir
    static Path dir;
    static PyTorchReference torch;
    static JsonNode checked;

    /** Official checkpoints in, exports out, then PyTorch's verdict on the exports. */
    @BeforeAll
    static void roundTrip() throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("make", dir.toString()));
        args.addAll(MODELS);
        PyTorchReference.run(dir, "official_roundtrip.py", args);
        torch = PyTorchReference.of(dir, "official.json");
        for (String model : MODELS) {
            Backbone backbone = Backbones.create(model);
            Path official = dir.resolve(model + "-official.pth");
            ComputationGraph graph = network(model);
            OfficialCheckpoint.load(graph, backbone, official);
            OfficialCheckpoint.Source source = new OfficialCheckpoint.Source(official.getFileName().toString(),
                    TorchCheckpointReader.read(official));
            try (OutputStream out = Files.newOutputStream(dir.resolve(model + "-export.pth"))) {
                OfficialCheckpoint.write(graph, backbone, source, out);
            }
            try (OutputStream out = Files.newOutputStream(dir.resolve(model + "-export-nosource.pth"))) {
                OfficialCheckpoint.write(graph, backbone, null, out);
            }
        }
        args.set(0, "check");
        checked = new ObjectMapper().readTree(PyTorchReference.run(dir, "official_roundtrip.py", args));
    }

    static ComputationGraph network(String model) {
        Recipe recipe = Recipe.builder().model(model).embeddingSize(EMBEDDING_SIZE).numClasses(5).seed(3).build();
        return EmbeddingNetwork.create(recipe, Backbones.create(model), DataType.FLOAT);
    }

    @Test
    void everyTensorOfAnOfficialCheckpointIsUsedOrIgnoredByName() {
        for (String model : MODELS) {
            LoadReport report = OfficialCheckpoint.load(network(model), Backbones.create(model),
                    dir.resolve(model + "-official.pth"));
            int tensors = torch.json().get("tensors").get(model).asInt();
            assertEquals(tensors, report.loaded() + report.ignored().size(), report.toString());
            List<String> unused = Backbones.create(model).unusedTorchTensors().stream().map(t -> "model." + t.key())
                    .filter(k -> !k.endsWith(StateDictMapping.COUNTER_SUFFIX)).sorted().toList();
            assertEquals(unused, report.ignored().stream()
                    .filter(k -> !k.endsWith(StateDictMapping.COUNTER_SUFFIX)).sorted().toList(), report.toString());
            assertTrue(report.embeddingLoaded());
        }
        assertEquals(124, torch.json().get("tensors").get("resnet18").asInt(), "the official Resnet18 checkpoint");
        assertEquals(487, torch.json().get("tensors").get("bn_inception").asInt(), "the official bn_inception one");
        assertEquals(366, torch.json().get("tensors").get("googlenet").asInt(), "the official googlenet one");
    }

    @Test
    void embeddingsOfAnOfficialCheckpointAreTheOfficialCodes() throws IOException {
        for (String model : MODELS) {
            ComputationGraph graph = network(model);
            OfficialCheckpoint.load(graph, Backbones.create(model), dir.resolve(model + "-official.pth"));
            INDArray embedding = EmbeddingNetwork.embed(graph, torch.array(model + "-input"));
            double error = PyTorchReference.relativeError(embedding, torch.array(model + "-embedding"));
            System.out.printf(Locale.ROOT, "official %s -> here: embedding max rel. error %.2e%n", model, error);
            assertTrue(error <= TOLERANCE, model + ": " + error);
        }
    }

    @Test
    void exportsLoadStrictlyIntoTheOfficialWrapperWithTheOriginalTensors() {
        for (String model : MODELS) {
            JsonNode export = checked.get(model).get(model + "-export.pth");
            int tensors = torch.json().get("tensors").get(model).asInt();
            assertEquals(tensors, export.get("keys").asInt(), export.toString());
            assertEquals("[]", export.get("differing_tensors").toString(), model + ": " + export);
            assertEquals("[\"torch.float32\",\"torch.int64\"]", export.get("dtypes").toString(), export.toString());
            double error = export.get("embedding_max_abs_diff").asDouble();
            System.out.printf(Locale.ROOT, "here -> official %s: embedding max abs. difference %.2e%n", model, error);
            assertTrue(error <= TOLERANCE, model + ": " + export);
        }
    }

    @Test
    void exportsWithoutASourceFileLoadStrictlyWithTheClassifierInitialised() {
        for (String model : MODELS) {
            JsonNode export = checked.get(model).get(model + "-export-nosource.pth");
            List<String> differing = new ArrayList<>();
            export.get("differing_tensors").forEach(k -> differing.add(k.asText()));
            Set<String> unused = StateDictMapping.unusedModules(Backbones.create(model));
            assertTrue(differing.stream().allMatch(k -> unused.contains(k.split("\\.")[1])
                    || k.endsWith(StateDictMapping.COUNTER_SUFFIX)), model + ": " + differing);
            assertTrue(export.get("embedding_max_abs_diff").asDouble() <= TOLERANCE, model + ": " + export);
        }
    }

    @Test
    void theOfficialCheckpointReadsAsAPlainStateDictToo() throws IOException {
        Map<String, TorchTensor> tensors = TorchCheckpointReader.read(dir.resolve("resnet18-official.pth"));
        assertTrue(tensors.containsKey("model.embedding.weight"));
        assertEquals(124, tensors.size());
    }
}
