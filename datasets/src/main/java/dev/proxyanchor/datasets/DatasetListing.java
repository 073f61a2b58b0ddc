package dev.proxyanchor.datasets;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The samples of a dataset and what the training driver needs to know about them: the number of proxies (training
 * classes), the evaluation mode and the dataset's Recall@K list.
 */
public record DatasetListing(String dataset, List<Sample> samples, int numProxies, EvalMode evalMode,
                             int[] recallK) {

    public List<Sample> samples(Role role) {
        return samples.stream().filter(s -> s.role() == role).toList();
    }

    /** Images and distinct classes per role present, in role order. */
    public Map<Role, int[]> counts() {
        Map<Role, int[]> counts = new EnumMap<>(Role.class);
        for (Role role : Role.values()) {
            List<Sample> of = samples(role);
            if (!of.isEmpty()) {
                counts.put(role, new int[] {of.size(), (int) of.stream().mapToInt(Sample::label).distinct().count()});
            }
        }
        return counts;
    }
}
