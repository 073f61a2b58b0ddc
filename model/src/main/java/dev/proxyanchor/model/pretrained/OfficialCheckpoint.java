package dev.proxyanchor.model.pretrained;

import dev.proxyanchor.model.UserInputException;
import dev.proxyanchor.model.backbones.Backbone;
import dev.proxyanchor.model.backbones.UnusedTorchTensor;
import dev.proxyanchor.model.pretrained.StateDictMapping.Entry;
import dev.proxyanchor.model.pretrained.StateDictMapping.Layout;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The checkpoints of the official PyTorch code, both ways. Its {@code train.py} saves
 * {@code {'model_state_dict': model.state_dict()}} of a wrapper ({@code bn_inception}, {@code Resnet18/50/101},
 * {@code googlenet}) that holds the torchvision-style network as {@code model} and the embedding layer as
 * {@code model.embedding}: keys {@code model.conv1.weight}, ..., {@code model.embedding.weight}, plus the ImageNet
 * classifier the wrapper keeps and never uses ({@code model.fc.*}, {@code model.last_linear.*}).
 * <ul>
 *   <li>{@link #load}: strict, the embedding included; the classifier and num_batches_tracked are ignored (named in
 *       the report). Used by {@code embed --checkpoint FILE.pth} and {@code train --init-from}.</li>
 *   <li>{@link #write}: that same file from a network here, so that the official wrapper for the backbone and
 *       embedding size loads it with {@code strict=True} and computes the same embeddings. What the network lacks
 *       (the classifier, num_batches_tracked) comes from a source file when one is given (the run's ImageNet
 *       weights or the official checkpoint it started from) and otherwise is initialised as PyTorch initialises it
 *       (num_batches_tracked 0); the report says which.</li>
 * </ul>
 */
public final class OfficialCheckpoint {

    /** Seeds the initialisation of the tensors an export has no source for, so that exports are reproducible. */
    private static final long INIT_SEED = 20200401;

    private OfficialCheckpoint() {
    }

    /**
     * A file providing the tensors an export cannot take from the network, in either layout (ImageNet weights or an
     * official checkpoint).
     *
     * @param name    how the report names it
     * @param tensors its state_dict
     */
    public record Source(String name, Map<String, TorchTensor> tensors) {

        /** The tensor under {@code key} (no prefix) if the file has it with that shape and type. */
        TorchTensor find(String key, long[] shape, String dtype) {
            Map<String, TorchTensor> bare = StateDictLoader.withoutDataParallelPrefix(tensors);
            TorchTensor t = bare.get(Layout.OFFICIAL.prefix + key);
            if (t == null) {
                t = bare.get(key);
            }
            return t != null && Arrays.equals(t.shape(), shape) && t.dtype().equals(dtype) ? t : null;
        }
    }

    /**
     * What an export wrote.
     *
     * @param tensors      tensors in the file
     * @param fromNetwork  of which taken from the network (backbone with BatchNorm statistics, embedding)
     * @param fromSource   keys taken from the source file
     * @param sourceName   the source file, or null
     * @param initialised  keys initialised as PyTorch does
     */
    public record ExportReport(int tensors, int fromNetwork, List<String> fromSource, String sourceName,
            List<String> initialised) {

        @Override
        public String toString() {
            StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%d tensors: %d from the network"
                    + " (backbone with its BatchNorm statistics, embedding)", tensors, fromNetwork));
            if (!fromSource.isEmpty()) {
                s.append("; ").append(LoadReport.summarise(fromSource)).append(" from ").append(sourceName);
            }
            if (!initialised.isEmpty()) {
                s.append("; ").append(LoadReport.summarise(initialised))
                        .append(" initialised as PyTorch does (num_batches_tracked 0): ")
                        .append(sourceName == null ? "no source file for them"
                                : "not in " + sourceName + " with the right shape");
            }
            return s.toString();
        }
    }

    /** Loads the official checkpoint {@code pth} into {@code graph} (strict, the embedding included). */
    public static LoadReport load(ComputationGraph graph, Backbone backbone, Path pth) {
        long start = System.nanoTime();
        Map<String, TorchTensor> tensors;
        try {
            tensors = TorchCheckpointReader.read(pth);
        } catch (IOException e) {
            throw unreadable(pth.toString(), e);
        }
        return load(graph, backbone, tensors, pth.toString(), start);
    }

    /** Loads an official checkpoint from {@code in} (not closed), e.g. a file on HDFS. */
    public static LoadReport load(ComputationGraph graph, Backbone backbone, InputStream in, String where) {
        long start = System.nanoTime();
        Map<String, TorchTensor> tensors;
        try {
            tensors = TorchCheckpointReader.read(in, where);
        } catch (IOException e) {
            throw unreadable(where, e);
        }
        return load(graph, backbone, tensors, where, start);
    }

    /** Loads an already read official state_dict. */
    public static LoadReport load(ComputationGraph graph, Backbone backbone, Map<String, TorchTensor> stateDict,
            String where) {
        return load(graph, backbone, stateDict, where, System.nanoTime());
    }

    private static LoadReport load(ComputationGraph graph, Backbone backbone, Map<String, TorchTensor> stateDict,
            String where, long start) {
        long embeddingSize = graph.getLayer(dev.proxyanchor.model.EmbeddingNetwork.EMBEDDING).getParam("b").length();
        return StateDictLoader.load(graph, backbone, stateDict, Layout.OFFICIAL, where, "the checkpoint",
                "Give a checkpoint the official train.py saved with --model " + backbone.name()
                        + " --embedding-size " + embeddingSize + ", or the --model and --embedding-size it was"
                        + " trained with.", start);
    }

    private static UserInputException unreadable(String where, IOException e) {
        return new UserInputException("cannot read the checkpoint " + where + ": " + e.getMessage(), e);
    }

    /** The state_dict the official wrapper of {@code graph}'s backbone and embedding size has, in its order. */
    public static Map<String, TorchTensor> stateDict(ComputationGraph graph, Backbone backbone, Source source) {
        return export(graph, backbone, source).stateDict;
    }

    /** Writes {@link #stateDict} as {@code torch.save({'model_state_dict': ...})} does; {@code out} is not closed. */
    public static ExportReport write(ComputationGraph graph, Backbone backbone, Source source, OutputStream out)
            throws IOException {
        Export export = export(graph, backbone, source);
        TorchCheckpointWriter.write(export.stateDict, TorchCheckpointReader.OFFICIAL_CONTAINER_KEY, out);
        return export.report;
    }

    private record Export(Map<String, TorchTensor> stateDict, ExportReport report) {
    }

    private static Export export(ComputationGraph graph, Backbone backbone, Source source) {
        Map<String, TorchTensor> stateDict = new LinkedHashMap<>();
        List<String> fromSource = new ArrayList<>();
        List<String> initialised = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(INIT_SEED);
        Map<String, INDArray> params = graph.paramTable();
        List<Entry> entries = StateDictMapping.entries(graph.getConfiguration(), backbone);
        int fromNetwork = 0;
        boolean unusedWritten = false;
        for (Entry entry : entries) {
            if (entry.embedding() && !unusedWritten) {
                // The official wrappers add the embedding after the torchvision network, classifier included.
                for (UnusedTorchTensor unused : backbone.unusedTorchTensors()) {
                    put(stateDict, unused.key(), unused.shape(), unused.dtype(), source, fromSource, initialised,
                            () -> uniform(unused, random));
                }
                unusedWritten = true;
            }
            if (entry.counter()) {
                put(stateDict, entry.key(), entry.torchShape(), TorchTensor.LONG, source, fromSource, initialised,
                        () -> new float[] {0});
                continue;
            }
            stateDict.put(Layout.OFFICIAL.prefix + entry.key(), entry.toTorch(params.get(entry.dl4jKey())));
            fromNetwork++;
        }
        return new Export(stateDict, new ExportReport(stateDict.size(), fromNetwork, fromSource,
                source == null ? null : source.name(), initialised));
    }

    private static void put(Map<String, TorchTensor> stateDict, String key, long[] shape, String dtype, Source source,
            List<String> fromSource, List<String> initialised, java.util.function.Supplier<float[]> init) {
        String fullKey = Layout.OFFICIAL.prefix + key;
        TorchTensor found = source == null ? null : source.find(key, shape, dtype);
        if (found != null) {
            stateDict.put(fullKey, found);
            fromSource.add(fullKey);
        } else {
            stateDict.put(fullKey, new TorchTensor(dtype, shape.clone(), init.get()));
            initialised.add(fullKey);
        }
    }

    private static float[] uniform(UnusedTorchTensor t, SplittableRandom random) {
        long n = 1;
        for (long d : t.shape()) {
            n *= d;
        }
        float[] values = new float[Math.toIntExact(n)];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (t.low() + (t.high() - t.low()) * random.nextDouble());
        }
        return values;
    }
}
