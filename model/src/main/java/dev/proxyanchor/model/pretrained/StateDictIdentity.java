package dev.proxyanchor.model.pretrained;

import dev.proxyanchor.model.EmbeddingNetwork;
import dev.proxyanchor.model.backbones.Backbone;
import dev.proxyanchor.model.backbones.Backbones;
import dev.proxyanchor.model.backbones.UnusedTorchTensor;
import dev.proxyanchor.model.pretrained.StateDictMapping.Entry;
import dev.proxyanchor.model.pretrained.StateDictMapping.Layout;
import dev.proxyanchor.model.recipe.Recipe;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Which registered backbone and which {@link Layout} a state_dict's keys look like, so that a file given for the
 * wrong model or the wrong flag is named for what it is: the layout and backbone whose keys (the ignored ones
 * included) overlap most with the file's.
 */
final class StateDictIdentity {

    /** The share of keys two key sets must have in common for the file to "look like" a backbone. */
    private static final double SAME = 0.9;
    private static final int PLACEHOLDER_EMBEDDING = 64;

    private StateDictIdentity() {
    }

    /** A sentence saying what {@code stateDict} (DataParallel prefix removed) looks like. */
    static String describe(Map<String, TorchTensor> stateDict) {
        String bestModel = null;
        Layout bestLayout = null;
        double bestScore = -1;
        int bestCommon = 0;
        int bestExpected = 0;
        for (Layout layout : Layout.values()) {
            Set<String> keys = new HashSet<>();
            for (String key : stateDict.keySet()) {
                if (key.startsWith(layout.prefix)) {
                    keys.add(key.substring(layout.prefix.length()));
                }
            }
            for (String model : new TreeSet<>(Backbones.names())) {
                Set<String> expected = expectedKeys(model, keys, layout);
                int common = 0;
                for (String key : keys) {
                    if (expected.contains(key)) {
                        common++;
                    }
                }
                Set<String> union = new HashSet<>(expected);
                union.addAll(stateDict.keySet().stream().map(k -> k.startsWith(layout.prefix)
                        ? k.substring(layout.prefix.length()) : k).toList());
                double score = union.isEmpty() ? 0 : (double) common / union.size();
                if (score > bestScore) {
                    bestScore = score;
                    bestModel = model;
                    bestLayout = layout;
                    bestCommon = common;
                    bestExpected = expected.size();
                }
            }
        }
        if (bestModel == null || bestScore < SAME) {
            return "Its " + stateDict.size() + " keys match none of the backbones " + new TreeSet<>(Backbones.names())
                    + (bestModel == null || bestCommon == 0 ? "" : " (closest: " + bestModel + ", " + bestCommon
                    + " of its " + bestExpected + " keys)");
        }
        TorchTensor embedding = stateDict.get(bestLayout.prefix + StateDictMapping.EMBEDDING_MODULE + ".weight");
        String size = embedding == null || embedding.shape().length != 2 ? ""
                : " with embedding size " + embedding.shape()[0];
        return bestLayout == Layout.OFFICIAL
                ? "It looks like an official checkpoint of " + bestModel + size
                + " (embed --checkpoint and train --init-from read those)"
                : "It looks like ImageNet weights of " + bestModel + size + " (train --pretrained reads those)";
    }

    /**
     * The keys of {@code model} in {@code layout} without the prefix; the optional ones (num_batches_tracked, which
     * files before PyTorch 0.4.1 lack, and an embedding the layout does not require) only if the file has them.
     */
    private static Set<String> expectedKeys(String model, Set<String> fileKeys, Layout layout) {
        Backbone backbone = Backbones.create(model);
        Recipe recipe = Recipe.builder().model(model).embeddingSize(PLACEHOLDER_EMBEDDING).numClasses(1).build();
        Set<String> expected = new HashSet<>();
        for (Entry entry : StateDictMapping.entries(EmbeddingNetwork.configuration(recipe, backbone, DataType.FLOAT),
                backbone)) {
            boolean optional = entry.counter() || entry.embedding() && !layout.embeddingRequired;
            if (!optional || fileKeys.contains(entry.key())) {
                expected.add(entry.key());
            }
        }
        for (UnusedTorchTensor unused : backbone.unusedTorchTensors()) {
            expected.add(unused.key());
        }
        return expected;
    }
}
