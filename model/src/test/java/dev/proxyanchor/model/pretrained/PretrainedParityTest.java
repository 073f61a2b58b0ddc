package dev.proxyanchor.model.pretrained;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.proxyanchor.model.EmbeddingNetwork;
import dev.proxyanchor.model.UserInputException;
import dev.proxyanchor.model.backbones.Backbone;
import dev.proxyanchor.model.backbones.Backbones;
import dev.proxyanchor.model.recipe.Recipe;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The DL4J backbones with weights loaded from PyTorch {@code .pth} files compute what PyTorch computes: the same
 * randomly initialised state_dicts (non-trivial BatchNorm statistics, an embedding head), the same input, eval mode;
 * backbone features and L2-normalised embeddings must agree within 1e-4 relative to their largest magnitude.
 */
class PretrainedParityTest {

    private static final double TOLERANCE = 1e-4;
    private static final int EMBEDDING_SIZE = 64;

    @TempDir
    static Path dir;
    static PyTorchReference torch;

    @BeforeAll
    static void writeReferenceFiles() throws IOException, InterruptedException {
        torch = PyTorchReference.create(dir, "bn_inception", "resnet18", "resnet50", "resnet101", "googlenet");
    }

    static ComputationGraph network(String model) {
        Recipe recipe = Recipe.builder().model(model).embeddingSize(EMBEDDING_SIZE).numClasses(10).seed(7).build();
        return EmbeddingNetwork.create(recipe, Backbones.create(model), DataType.FLOAT);
    }

    @ParameterizedTest
    @ValueSource(strings = {"bn_inception", "resnet18", "resnet50", "resnet101", "googlenet"})
    void featuresAndEmbeddingMatchPyTorch(String model) throws IOException {
        Backbone backbone = Backbones.create(model);
        ComputationGraph graph = network(model);
        Path pth = torch.file(model + ".pth");

        long heapBefore = heapUsedAfterGc();
        resetPeaks();
        LoadReport report = PretrainedWeights.load(graph, backbone, pth);
        long heapPeak = heapPeak();
        assertTrue(report.embeddingLoaded(), report.toString());
        assertEquals(2, report.ignored().stream()
                .filter(k -> k.startsWith("fc.") || k.startsWith("last_linear.")).count(), report.toString());

        Map<String, INDArray> activations = graph.feedForward(
                new INDArray[] {torch.array(model + "-input")}, false, false);
        String featureVertex = graph.getConfiguration().getVertexInputs().get(EmbeddingNetwork.POOL).get(0);
        INDArray features = activations.get(featureVertex);
        INDArray embedding = activations.get(EmbeddingNetwork.embeddingVertex(graph));
        INDArray expectedFeatures = torch.array(model + "-features");
        INDArray expectedEmbedding = torch.array(model + "-embedding");
        assertArrayEquals(expectedFeatures.shape(), features.shape());
        double featureError = PyTorchReference.relativeError(features, expectedFeatures);
        double embeddingError = PyTorchReference.relativeError(embedding, expectedEmbedding);
        System.out.printf(Locale.ROOT, "parity %s: features max rel. error %.2e (max |x| %.3g), embedding %.2e;"
                        + " file %.1f MB, read %.2f s, load %.2f s, heap peak +%.0f MB over %.0f MB%n",
                model, featureError, expectedFeatures.amaxNumber().doubleValue(), embeddingError,
                Files.size(pth) / 1e6, report.readSeconds(), report.totalSeconds(),
                (heapPeak - heapBefore) / 1e6, heapBefore / 1e6);
        assertTrue(featureError <= TOLERANCE, model + " features differ from PyTorch by " + featureError);
        assertTrue(embeddingError <= TOLERANCE, model + " embedding differs from PyTorch by " + embeddingError);
    }

    @Test
    void publishedStyleLegacyFileLoadsLikeTheZipFile() {
        // bn_inception-52deb4733.pth: pre-1.6 format, BatchNorm tensors [1, C], no num_batches_tracked, no embedding.
        ComputationGraph fromZip = network("bn_inception");
        PretrainedWeights.load(fromZip, Backbones.create("bn_inception"), torch.file("bn_inception.pth"));
        ComputationGraph fromLegacy = network("bn_inception");
        INDArray embeddingBefore = fromLegacy.getParam("embedding_W").dup();
        LoadReport report = PretrainedWeights.load(fromLegacy, Backbones.create("bn_inception"),
                torch.file("bn_inception-legacy.pth"));

        assertFalse(report.embeddingLoaded());
        assertEquals(embeddingBefore, fromLegacy.getParam("embedding_W"), "the embedding keeps its initialisation");
        for (Map.Entry<String, INDArray> param : fromZip.paramTable().entrySet()) {
            if (!param.getKey().startsWith("embedding_") && !param.getKey().startsWith("proxies_")) {
                assertEquals(param.getValue(), fromLegacy.getParam(param.getKey()), param.getKey());
            }
        }
    }

    @Test
    void googlenetDropsItsAuxiliaryClassifiersAndNamesThemInTheReport() throws IOException {
        Path pth = torch.file("googlenet.pth");
        LoadReport report = PretrainedWeights.load(network("googlenet"), Backbones.create("googlenet"), pth);
        List<String> unused = TorchCheckpointReader.read(pth).keySet().stream()
                .filter(k -> k.startsWith("aux1.") || k.startsWith("aux2.") || k.startsWith("fc."))
                .filter(k -> !k.endsWith(".num_batches_tracked")).sorted().toList();
        assertEquals(20, unused.size(), unused.toString());
        assertEquals(unused, report.ignored().stream().filter(k -> !k.endsWith(".num_batches_tracked")).toList());
        assertTrue(report.toString().contains("aux1.* 9, aux2.* 9, fc.* 2"), report.toString());
    }

    @Test
    void googlenetWithoutAuxiliaryClassifiersLoadsTheSame() {
        ComputationGraph full = network("googlenet");
        PretrainedWeights.load(full, Backbones.create("googlenet"), torch.file("googlenet.pth"));
        ComputationGraph noAux = network("googlenet");
        PretrainedWeights.load(noAux, Backbones.create("googlenet"), torch.file("googlenet-no-aux.pth"));
        assertEquals(full.params(), noAux.params());
    }

    @Test
    void googlenetWithTheFiveByFiveKernelOfThePaperIsRefused() {
        ComputationGraph graph = network("googlenet");
        UserInputException e = assertThrows(UserInputException.class, () -> PretrainedWeights.load(graph,
                Backbones.create("googlenet"), torch.file("googlenet-broken.pth")));
        assertTrue(e.getMessage().contains("missing inception4a.branch3.1.bn.running_var [48]"), e.getMessage());
        assertTrue(e.getMessage().contains(
                "inception5b.branch3.1.conv.weight has shape [128, 48, 5, 5], expected [128, 48, 3, 3]"),
                e.getMessage());
        assertTrue(e.getMessage().contains("(2 problems: 1 missing, 1 wrongly shaped, 0 unexpected)"), e.getMessage());
    }

    @Test
    void fileWithAMissingKeyAndAWrongShapeIsRefusedWithBothNamed() {
        ComputationGraph graph = network("resnet18");
        INDArray before = graph.params().dup();
        UserInputException e = assertThrows(UserInputException.class, () -> PretrainedWeights.load(graph,
                Backbones.create("resnet18"), torch.file("resnet18-broken.pth")));
        assertTrue(e.getMessage().contains("missing layer1.0.conv1.weight [64, 64, 3, 3]"), e.getMessage());
        assertTrue(e.getMessage().contains("layer2.0.bn1.running_var has shape [3], expected [128]"), e.getMessage());
        assertTrue(e.getMessage().contains("(2 problems: 1 missing, 1 wrongly shaped, 0 unexpected)"), e.getMessage());
        assertTrue(e.getMessage().contains("It looks like ImageNet weights of resnet18 with embedding size 64"),
                e.getMessage());
        assertEquals(before, graph.params(), "nothing is written when the file does not fit");
    }

    @Test
    void fileOfAnotherArchitectureIsRefused() {
        ComputationGraph graph = network("resnet18");
        UserInputException e = assertThrows(UserInputException.class, () -> PretrainedWeights.load(graph,
                Backbones.create("resnet18"), torch.file("resnet50.pth")));
        assertTrue(e.getMessage().contains("layer1.0.conv1.weight has shape [64, 64, 1, 1], expected [64, 64, 3, 3]"),
                e.getMessage());
        assertTrue(e.getMessage().contains("unexpected layer1.0.conv3.weight"), e.getMessage());
        assertTrue(e.getMessage().contains("It looks like ImageNet weights of resnet50"), e.getMessage());
    }

    @Test
    void embeddingOfAnotherSizeIsRefusedNamingTheFlag() {
        Recipe recipe = Recipe.builder().model("resnet18").embeddingSize(32).numClasses(10).seed(7).build();
        ComputationGraph graph = EmbeddingNetwork.create(recipe, Backbones.create("resnet18"), DataType.FLOAT);
        UserInputException e = assertThrows(UserInputException.class, () -> PretrainedWeights.load(graph,
                Backbones.create("resnet18"), torch.file("resnet18.pth")));
        assertTrue(e.getMessage().contains("embedding.weight has shape [64, 512], expected [32, 512]"), e.getMessage());
        assertTrue(e.getMessage().contains("--embedding-size"), e.getMessage());
    }

    @Test
    void loadsFromAStream() throws IOException {
        ComputationGraph fromPath = network("resnet18");
        PretrainedWeights.load(fromPath, Backbones.create("resnet18"), torch.file("resnet18.pth"));
        ComputationGraph fromStream = network("resnet18");
        try (InputStream in = Files.newInputStream(torch.file("resnet18.pth"))) {
            PretrainedWeights.load(fromStream, Backbones.create("resnet18"), in, "hdfs://somewhere/resnet18.pth");
        }
        assertEquals(fromPath.params(), fromStream.params());
        assertNotEquals(network("resnet18").params(), fromStream.params());
    }

    @ParameterizedTest
    @ValueSource(strings = {"reader-cases.pth", "reader-cases-legacy.pth"})
    void readerHandlesStridesOffsetsAndElementTypes(String file) throws IOException {
        Map<String, TorchTensor> tensors = TorchCheckpointReader.read(torch.file(file));
        JsonNode expected = torch.json("reader-cases.json");
        assertEquals(expected.size(), tensors.size());
        for (Iterator<Map.Entry<String, JsonNode>> it = expected.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            TorchTensor tensor = tensors.get(e.getKey());
            long[] shape = new long[e.getValue().get("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = e.getValue().get("shape").get(i).asLong();
            }
            assertArrayEquals(shape, tensor.shape(), e.getKey());
            JsonNode values = e.getValue().get("values");
            assertEquals(values.size(), tensor.values().length, e.getKey());
            for (int i = 0; i < values.size(); i++) {
                assertEquals((float) values.get(i).asDouble(), tensor.values()[i], e.getKey() + "[" + i + "]");
            }
        }
    }

    private static long heapUsedAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static void resetPeaks() {
        ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
    }

    private static long heapPeak() {
        return ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP)
                .mapToLong(p -> p.getPeakUsage().getUsed()).sum();
    }
}
