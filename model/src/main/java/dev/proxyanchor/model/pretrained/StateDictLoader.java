package dev.proxyanchor.model.pretrained;

import dev.proxyanchor.model.UserInputException;
import dev.proxyanchor.model.backbones.Backbone;
import dev.proxyanchor.model.pretrained.StateDictMapping.Entry;
import dev.proxyanchor.model.pretrained.StateDictMapping.Layout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Strict loading of a state_dict into a network through {@link StateDictMapping}: every parameter the layout requires
 * is filled from a tensor of the right shape, and every tensor of the file is used or deliberately ignored (the
 * backbone's {@linkplain Backbone#unusedTorchTensors() unused tensors}, BatchNorm's num_batches_tracked). Any
 * mismatch fails with the offending keys named and a guess of what the file is, before a single parameter is
 * written. Keys saved through {@code nn.DataParallel} ({@code module.} before every key) are read as PyTorch code
 * commonly reads them, without that prefix.
 */
final class StateDictLoader {

    private static final String DATA_PARALLEL_PREFIX = "module.";
    /** Keys listed per kind of problem; the message gives the count of the rest. */
    private static final int LISTED = 8;

    private StateDictLoader() {
    }

    /**
     * Loads {@code stateDict} into {@code graph}.
     *
     * @param what   what the file is to the user, e.g. "the pretrained weights file" (starts the error message)
     * @param remedy the sentence ending the error message: which file to use instead
     */
    static LoadReport load(ComputationGraph graph, Backbone backbone, Map<String, TorchTensor> stateDict,
            Layout layout, String where, String what, String remedy, long startNanos) {
        double readSeconds = (System.nanoTime() - startNanos) / 1e9;
        Map<String, TorchTensor> file = withoutDataParallelPrefix(stateDict);
        List<Entry> entries = StateDictMapping.entries(graph.getConfiguration(), backbone);
        Map<String, INDArray> params = graph.paramTable();
        List<String> missing = new ArrayList<>();
        List<String> misShaped = new ArrayList<>();
        Set<String> used = new HashSet<>();
        List<String> ignored = new ArrayList<>();
        Map<Entry, TorchTensor> fills = new LinkedHashMap<>();
        List<String> embeddingFound = new ArrayList<>();
        List<String> embeddingMissing = new ArrayList<>();
        for (Entry entry : entries) {
            String key = layout.prefix + entry.key();
            TorchTensor tensor = file.get(key);
            if (entry.counter()) {
                if (tensor != null) {
                    used.add(key);
                    ignored.add(key);
                }
                continue;
            }
            if (tensor == null) {
                if (entry.embedding() && !layout.embeddingRequired) {
                    embeddingMissing.add(key);
                } else {
                    missing.add("missing " + key + " " + Arrays.toString(entry.torchShape()));
                }
                continue;
            }
            used.add(key);
            if (entry.embedding()) {
                embeddingFound.add(key);
            }
            INDArray target = params.get(entry.dl4jKey());
            if (target == null || target.length() != product(entry.torchShape())) {
                throw new IllegalStateException("the mapping names " + entry.dl4jKey() + " " + Arrays.toString(
                        entry.torchShape()) + " but the graph holds " + (target == null ? "no such parameter"
                        : Arrays.toString(target.shape())));
            }
            if (!StateDictMapping.fits(tensor.shape(), entry.torchShape())) {
                misShaped.add(key + " has shape " + tensor.shapeString() + ", expected "
                        + Arrays.toString(entry.torchShape()) + (entry.embedding() ? headHint(tensor, entry) : ""));
                continue;
            }
            fills.put(entry, tensor);
        }
        List<String> problems = new ArrayList<>();
        if (!embeddingFound.isEmpty() && !embeddingMissing.isEmpty()) {
            problems.add("the embedding head is incomplete: " + embeddingFound + " present, " + embeddingMissing
                    + " missing");
        }
        Set<String> unusedModules = StateDictMapping.unusedModules(backbone);
        List<String> unexpected = new ArrayList<>();
        for (String key : new TreeSet<>(file.keySet())) {
            if (used.contains(key)) {
                continue;
            }
            String relative = key.startsWith(layout.prefix) ? key.substring(layout.prefix.length()) : null;
            if (relative != null && unusedModules.contains(relative.substring(0, Math.max(0, relative.indexOf('.'))))) {
                ignored.add(key);
            } else {
                unexpected.add("unexpected " + Pickle.printable(key, 200) + " " + file.get(key).shapeString());
            }
        }
        int count = missing.size() + misShaped.size() + unexpected.size() + problems.size();
        if (count > 0) {
            problems.addAll(listed(missing, "missing"));
            problems.addAll(listed(misShaped, "wrongly shaped"));
            problems.addAll(listed(unexpected, "unexpected"));
            throw new UserInputException(what + " " + where + " does not fit --model " + backbone.name() + " (" + count
                    + " problems: " + missing.size() + " missing, " + misShaped.size() + " wrongly shaped, "
                    + unexpected.size() + " unexpected): " + String.join("; ", problems) + ". "
                    + StateDictIdentity.describe(file) + ". " + remedy);
        }
        for (Map.Entry<Entry, TorchTensor> fill : fills.entrySet()) {
            INDArray target = params.get(fill.getKey().dl4jKey());
            target.assign(fill.getKey().toDl4j(fill.getValue(), target));
        }
        double totalSeconds = (System.nanoTime() - startNanos) / 1e9;
        return new LoadReport(where, fills.size(), ignored, !embeddingFound.isEmpty(), readSeconds, totalSeconds);
    }

    private static List<String> listed(List<String> items, String kind) {
        if (items.size() <= LISTED) {
            return items;
        }
        List<String> shown = new ArrayList<>(items.subList(0, LISTED));
        shown.add("... " + (items.size() - LISTED) + " more " + kind);
        return shown;
    }

    private static long product(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** The keys without the {@code module.} prefix {@code nn.DataParallel} puts before every one, if it did. */
    static Map<String, TorchTensor> withoutDataParallelPrefix(Map<String, TorchTensor> stateDict) {
        if (stateDict.isEmpty() || !stateDict.keySet().stream().allMatch(k -> k.startsWith(DATA_PARALLEL_PREFIX))) {
            return stateDict;
        }
        Map<String, TorchTensor> stripped = new LinkedHashMap<>();
        stateDict.forEach((k, v) -> stripped.put(k.substring(DATA_PARALLEL_PREFIX.length()), v));
        return stripped;
    }

    /**
     * Why an embedding tensor has another shape: its rows are the embedding size, its columns (the weight's) the
     * backbone's feature width, which a file of another backbone has.
     */
    private static String headHint(TorchTensor tensor, Entry entry) {
        long[] got = tensor.shape();
        return got.length > 0 && got[0] != entry.torchShape()[0] ? " (the head's size comes from --embedding-size)"
                : " (the head's input is the backbone's feature width: a file of another --model)";
    }
}
