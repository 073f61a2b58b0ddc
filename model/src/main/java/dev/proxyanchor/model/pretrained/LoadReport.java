package dev.proxyanchor.model.pretrained;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What loading a state_dict into a network did.
 *
 * @param source          the file or stream name
 * @param loaded          tensors copied into the network
 * @param ignored         tensors of the file deliberately not used: the ImageNet classifier, BatchNorm's
 *                        num_batches_tracked
 * @param embeddingLoaded whether the file also filled the head's embedding layer
 * @param readSeconds     time to read and decode the file
 * @param totalSeconds    read plus checks plus copying into the network
 */
public record LoadReport(String source, int loaded, List<String> ignored, boolean embeddingLoaded, double readSeconds,
        double totalSeconds) {

    public LoadReport {
        ignored = List.copyOf(ignored);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s: %d tensors loaded%s, %d ignored (%s), %.1f s", source, loaded,
                embeddingLoaded ? " (embedding included)" : "", ignored.size(), summarise(ignored), totalSeconds);
    }

    /**
     * Keys counted by top-level module (after the official wrapper's {@code model.}), e.g.
     * {@code aux1.* 9, aux2.* 9, fc.* 2, *.num_batches_tracked 57}.
     */
    static String summarise(List<String> keys) {
        Map<String, Integer> counts = new TreeMap<>();
        int counters = 0;
        for (String key : keys) {
            if (key.endsWith(StateDictMapping.COUNTER_SUFFIX)) {
                counters++;
                continue;
            }
            int skip = key.startsWith(StateDictMapping.Layout.OFFICIAL.prefix)
                    ? StateDictMapping.Layout.OFFICIAL.prefix.length() : 0;
            counts.merge(key.substring(0, key.indexOf('.', skip) + 1) + "*", 1, Integer::sum);
        }
        List<String> parts = new ArrayList<>();
        counts.forEach((module, count) -> parts.add(module + " " + count));
        if (counters > 0) {
            parts.add("*" + StateDictMapping.COUNTER_SUFFIX + " " + counters);
        }
        return parts.isEmpty() ? "none" : String.join(", ", parts);
    }
}
