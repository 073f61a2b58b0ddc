package dev.proxyanchor.model.pretrained;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxyanchor.model.EmbeddingNetwork;
import dev.proxyanchor.model.UserInputException;
import dev.proxyanchor.model.backbones.Backbone;
import dev.proxyanchor.model.backbones.Backbones;
import dev.proxyanchor.model.backbones.UnusedTorchTensor;
import dev.proxyanchor.model.pretrained.StateDictMapping.Entry;
import dev.proxyanchor.model.recipe.Recipe;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * For every registered backbone: the mapping names every parameter of the network exactly once, and a network
 * exported in the official layout and loaded back has bit-identical parameters (BatchNorm statistics included) and
 * computes bit-identical embeddings.
 */
class OfficialCheckpointRoundTripTest {

    private static final int EMBEDDING_SIZE = 16;

    @TempDir
    Path dir;

    static List<String> names() {
        return Backbones.names().stream().sorted().toList();
    }

    static ComputationGraph network(String model, long seed) {
        Recipe recipe = Recipe.builder().model(model).embeddingSize(EMBEDDING_SIZE).numClasses(3).seed(seed).build();
        return EmbeddingNetwork.create(recipe, Backbones.create(model), DataType.FLOAT);
    }

    /** BatchNorm away from its initial state: running statistics and affine parameters all non-trivial. */
    static void randomiseBatchNorm(ComputationGraph graph, Backbone backbone, long seed) {
        Nd4j.getRandom().setSeed(seed);
        for (Entry entry : StateDictMapping.entries(graph.getConfiguration(), backbone)) {
            LayerVertex vertex = (LayerVertex) graph.getConfiguration().getVertices().get(entry.layer());
            if (entry.counter() || !(vertex.getLayerConf().getLayer() instanceof BatchNormalization)) {
                continue;
            }
            INDArray p = graph.getParam(entry.dl4jKey());
            switch (entry.param()) {
                case "mean", "beta" -> p.assign(Nd4j.randn(DataType.FLOAT, p.shape()).muli(0.2));
                case "var", "gamma" -> p.assign(Nd4j.rand(DataType.FLOAT, p.shape()).addi(0.5));
                default -> { }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("names")
    void mappingNamesEveryParameterExactlyOnce(String model) {
        Backbone backbone = Backbones.create(model);
        ComputationGraph graph = network(model, 1);
        Map<String, Long> mapped = new TreeMap<>();
        Map<String, Integer> keys = new HashMap<>();
        for (Entry entry : StateDictMapping.entries(graph.getConfiguration(), backbone)) {
            keys.merge(entry.key(), 1, Integer::sum);
            if (!entry.counter()) {
                long length = 1;
                for (long d : entry.torchShape()) {
                    length *= d;
                }
                assertEquals(null, mapped.put(entry.dl4jKey(), length), entry.dl4jKey() + " mapped twice");
            }
        }
        for (UnusedTorchTensor unused : backbone.unusedTorchTensors()) {
            keys.merge(unused.key(), 1, Integer::sum);
        }
        keys.forEach((key, count) -> assertEquals(1, count, key + " named " + count + " times"));
        Map<String, Long> params = new TreeMap<>();
        graph.paramTable().forEach((k, v) -> {
            if (!k.startsWith(EmbeddingNetwork.PROXIES + "_")) {
                params.put(k, v.length());
            }
        });
        assertEquals(params, mapped);
    }

    @ParameterizedTest
    @MethodSource("names")
    void exportThenImportGivesIdenticalParametersAndEmbeddings(String model) throws IOException {
        Backbone backbone = Backbones.create(model);
        ComputationGraph original = network(model, 1);
        randomiseBatchNorm(original, backbone, 7);
        Path pth = dir.resolve(model + ".pth");
        OfficialCheckpoint.ExportReport report;
        try (var out = Files.newOutputStream(pth)) {
            report = OfficialCheckpoint.write(original, backbone, null, out);
        }
        assertEquals(backbone.unusedTorchTensors().size() + counters(original, backbone), report.initialised().size(),
                report.toString());

        ComputationGraph loaded = network(model, 2);
        assertNotEquals(original.getParam(EmbeddingNetwork.EMBEDDING + "_W"),
                loaded.getParam(EmbeddingNetwork.EMBEDDING + "_W"));
        LoadReport load = OfficialCheckpoint.load(loaded, backbone, pth);
        assertEquals(report.fromNetwork(), load.loaded(), load.toString());
        assertEquals(report.tensors(), load.loaded() + load.ignored().size(), load.toString());
        assertTrue(load.embeddingLoaded());

        for (Map.Entry<String, INDArray> p : original.paramTable().entrySet()) {
            if (!p.getKey().startsWith(EmbeddingNetwork.PROXIES + "_")) {
                assertEquals(p.getValue(), loaded.getParam(p.getKey()), p.getKey());
            }
        }
        INDArray images = images(backbone.inputType(), 2);
        assertEquals(EmbeddingNetwork.embed(original, images), EmbeddingNetwork.embed(loaded, images));
    }

    @Test
    void exportIsAFunctionOfTheNetworkAlone() throws IOException {
        ComputationGraph graph = network("small_cnn", 3);
        Backbone backbone = Backbones.create("small_cnn");
        ByteArrayOutputStream first = new ByteArrayOutputStream();
        ByteArrayOutputStream second = new ByteArrayOutputStream();
        OfficialCheckpoint.write(graph, backbone, null, first);
        OfficialCheckpoint.write(graph, backbone, null, second);
        assertArrayEquals(first.toByteArray(), second.toByteArray());
    }

    @Test
    void unusedTensorsComeFromTheSourceWhenItHasThem() throws IOException {
        Backbone backbone = Backbones.create("resnet18");
        ComputationGraph graph = network("resnet18", 1);
        float[] classifier = new float[1000 * 512];
        classifier[5] = 42;
        Map<String, TorchTensor> source = Map.of(
                "fc.weight", new TorchTensor(TorchTensor.FLOAT, new long[] {1000, 512}, classifier),
                "fc.bias", new TorchTensor(TorchTensor.FLOAT, new long[] {7}, new float[7]),
                "bn1.num_batches_tracked", new TorchTensor(TorchTensor.LONG, new long[0], new float[] {12}));
        OfficialCheckpoint.Source named = new OfficialCheckpoint.Source("imagenet.pth", source);
        Map<String, TorchTensor> exported = OfficialCheckpoint.stateDict(graph, backbone, named);
        assertEquals(42, exported.get("model.fc.weight").values()[5]);
        assertEquals(12, exported.get("model.bn1.num_batches_tracked").values()[0]);
        assertArrayEquals(new long[] {1000}, exported.get("model.fc.bias").shape(), "a wrongly shaped source is not used");
        float bound = (float) (1 / Math.sqrt(512));
        for (float v : exported.get("model.fc.bias").values()) {
            assertTrue(Math.abs(v) <= bound, "initialised as nn.Linear: " + v);
        }
        OfficialCheckpoint.ExportReport report;
        try (var out = new ByteArrayOutputStream()) {
            report = OfficialCheckpoint.write(graph, backbone, named, out);
        }
        assertTrue(report.toString().contains("model.fc.* 1, *.num_batches_tracked 1 from imagenet.pth"),
                report.toString());
        assertTrue(report.toString().contains("model.fc.* 1, *.num_batches_tracked 19 initialised as PyTorch does"),
                report.toString());
    }

    @Test
    void aCheckpointOfAnotherBackboneIsNamedForWhatItIs() throws IOException {
        Path pth = dir.resolve("resnet50.pth");
        try (var out = Files.newOutputStream(pth)) {
            OfficialCheckpoint.write(network("resnet50", 1), Backbones.create("resnet50"), null, out);
        }
        UserInputException e = assertThrows(UserInputException.class,
                () -> OfficialCheckpoint.load(network("resnet18", 1), Backbones.create("resnet18"), pth));
        String m = e.getMessage();
        assertTrue(m.contains("model.layer1.0.conv1.weight has shape [64, 64, 1, 1], expected [64, 64, 3, 3]"), m);
        assertTrue(m.contains("unexpected model.layer1.0.bn3.bias [256]"), m);
        assertTrue(m.contains("It looks like an official checkpoint of resnet50 with embedding size 16"), m);
        assertTrue(m.contains("--model resnet18 --embedding-size 16"), m);
        assertEquals(-1, m.indexOf('\n'), "one line");
    }

    @Test
    void aMisshapenHeadNamesTheFlagItComesFrom() {
        Backbone backbone = Backbones.create("resnet18");
        Map<String, TorchTensor> file = new java.util.LinkedHashMap<>(
                OfficialCheckpoint.stateDict(network("resnet18", 1), backbone, null));
        file.put("model.embedding.weight", new TorchTensor(TorchTensor.FLOAT, new long[] {16, 2048},
                new float[16 * 2048]));
        String wider = assertThrows(UserInputException.class,
                () -> OfficialCheckpoint.load(network("resnet18", 1), backbone, file, "wider.pth")).getMessage();
        assertTrue(wider.contains("model.embedding.weight has shape [16, 2048], expected [16, 512] (the head's input"
                + " is the backbone's feature width: a file of another --model)"), wider);

        file.put("model.embedding.weight", new TorchTensor(TorchTensor.FLOAT, new long[] {8, 512},
                new float[8 * 512]));
        String smaller = assertThrows(UserInputException.class,
                () -> OfficialCheckpoint.load(network("resnet18", 1), backbone, file, "smaller.pth")).getMessage();
        assertTrue(smaller.contains("model.embedding.weight has shape [8, 512], expected [16, 512] (the head's size"
                + " comes from --embedding-size)"), smaller);
    }

    @Test
    void imageNetWeightsGivenAsACheckpointAreNamedForWhatTheyAre() throws IOException {
        Backbone backbone = Backbones.create("resnet18");
        Map<String, TorchTensor> imagenet = new java.util.LinkedHashMap<>();
        OfficialCheckpoint.stateDict(network("resnet18", 1), backbone, null).forEach((k, v) -> {
            if (!k.startsWith("model.embedding.")) {
                imagenet.put(k.substring("model.".length()), v);
            }
        });
        UserInputException e = assertThrows(UserInputException.class,
                () -> OfficialCheckpoint.load(network("resnet18", 1), backbone, imagenet, "resnet18-f37072fd.pth"));
        assertTrue(e.getMessage().contains("102 missing"), e.getMessage());
        assertTrue(e.getMessage().contains("It looks like ImageNet weights of resnet18 (train --pretrained reads"
                + " those)"), e.getMessage());
    }

    @Test
    void dataParallelKeysAreReadWithoutTheirPrefix() {
        Backbone backbone = Backbones.create("small_cnn");
        ComputationGraph original = network("small_cnn", 1);
        Map<String, TorchTensor> wrapped = new java.util.LinkedHashMap<>();
        OfficialCheckpoint.stateDict(original, backbone, null).forEach((k, v) -> wrapped.put("module." + k, v));
        ComputationGraph loaded = network("small_cnn", 2);
        OfficialCheckpoint.load(loaded, backbone, wrapped, "data-parallel.pth");
        assertEquals(original.getParam("embedding_W"), loaded.getParam("embedding_W"));
    }

    private static int counters(ComputationGraph graph, Backbone backbone) {
        return (int) StateDictMapping.entries(graph.getConfiguration(), backbone).stream().filter(Entry::counter).count();
    }

    private static INDArray images(InputType type, int n) {
        InputType.InputTypeConvolutional conv = (InputType.InputTypeConvolutional) type;
        Nd4j.getRandom().setSeed(11);
        return Nd4j.randn(DataType.FLOAT, n, conv.getChannels(), conv.getHeight(), conv.getWidth());
    }
}
