package dev.proxyanchor.datasets;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The result of listing a dataset: its samples by role, its number of training classes, and how it is evaluated.
 * Built only by readers, which have checked the data; the constructor checks what every dataset shares (training
 * labels are 0..classes-1 with no gap, the evaluation roles match the evaluation mode).
 */
public final class DatasetListing implements Serializable {

    private final String dataset;
    private final List<Sample> samples;
    private final EvalMode evalMode;
    private final int[] recallK;
    private final Map<Role, List<Sample>> byRole;
    private final int numTrainClasses;

    public DatasetListing(String dataset, List<Sample> samples, EvalMode evalMode, int[] recallK) {
        this.dataset = dataset;
        this.samples = List.copyOf(samples);
        this.evalMode = evalMode;
        this.recallK = recallK.clone();
        Map<Role, List<Sample>> grouped = new EnumMap<>(Role.class);
        for (Role role : Role.values()) {
            List<Sample> ofRole = this.samples.stream().filter(s -> s.role() == role).toList();
            if (!ofRole.isEmpty()) {
                grouped.put(role, ofRole);
            }
        }
        this.byRole = Collections.unmodifiableMap(grouped);
        this.numTrainClasses = countTrainClasses(dataset, samples(Role.TRAIN));
        requireEvalRoles();
    }

    /** The dataset name as typed by the user, e.g. {@code cub}. */
    public String dataset() {
        return dataset;
    }

    /** All samples: training first, then the evaluation roles, each in the dataset's own order. */
    public List<Sample> samples() {
        return samples;
    }

    /** The samples of one role, in the dataset's order; empty when the role does not apply. */
    public List<Sample> samples(Role role) {
        return byRole.getOrDefault(role, List.of());
    }

    /** The roles this dataset has, in {@link Role} order. */
    public Set<Role> roles() {
        return byRole.keySet();
    }

    /** The number of training classes (labels 0..n-1); a proxy-based loss has one proxy per class. */
    public int numTrainClasses() {
        return numTrainClasses;
    }

    public EvalMode evalMode() {
        return evalMode;
    }

    /** The K values of Recall@K the dataset is reported with. */
    public int[] recallK() {
        return recallK.clone();
    }

    /**
     * This listing with some training classes held out of training: their training images become {@link Role#VAL}
     * samples under their own labels, the remaining training classes are renumbered 0..n-1 in ascending order of
     * their labels, and {@link Role#EVAL_SEEN} keeps only the test images of the classes still trained on (the
     * held-out ones are not seen in training). The test roles are unchanged.
     *
     * @param classes training labels of this listing, at least one, leaving at least one class to train on
     */
    public DatasetListing holdOut(Collection<Integer> classes) {
        Set<Integer> heldOut = new TreeSet<>(classes);
        if (heldOut.isEmpty() || heldOut.size() >= numTrainClasses
                || heldOut.stream().anyMatch(c -> c < 0 || c >= numTrainClasses)) {
            throw new IllegalArgumentException("cannot hold out classes " + heldOut + " of " + numTrainClasses
                    + " training classes");
        }
        int[] newLabel = new int[numTrainClasses];
        int next = 0;
        for (int c = 0; c < numTrainClasses; c++) {
            newLabel[c] = heldOut.contains(c) ? -1 : next++;
        }
        List<Sample> out = new ArrayList<>(samples.size());
        for (Sample s : samples) {
            if (s.role() == Role.TRAIN) {
                out.add(heldOut.contains(s.label()) ? new Sample(s.uri(), s.label(), Role.VAL)
                        : new Sample(s.uri(), newLabel[s.label()], Role.TRAIN));
            } else if (s.role() != Role.EVAL_SEEN || !heldOut.contains(s.label())) {
                out.add(s);
            }
        }
        out.sort(Comparator.comparing(Sample::role));
        return new DatasetListing(dataset, out, evalMode, recallK);
    }

    public int imageCount(Role role) {
        return samples(role).size();
    }

    public int classCount(Role role) {
        return (int) samples(role).stream().mapToInt(Sample::label).distinct().count();
    }

    private static int countTrainClasses(String dataset, List<Sample> train) {
        if (train.isEmpty()) {
            throw new DatasetException(dataset + ": the dataset has no training images.");
        }
        BitSet present = new BitSet();
        for (Sample s : train) {
            if (s.label() < 0) {
                throw new DatasetException(dataset + ": training label " + s.label() + " of " + s.uri()
                        + " is negative; training labels must be 0..N-1.");
            }
            present.set(s.label());
        }
        int classes = present.cardinality();
        if (present.length() != classes) {
            throw new DatasetException(dataset + ": training labels must be 0.." + (classes - 1)
                    + " without gaps, but label " + present.nextClearBit(0)
                    + " is missing while the largest is " + (present.length() - 1) + ".");
        }
        return classes;
    }

    private void requireEvalRoles() {
        List<Role> needed = evalMode == EvalMode.SELF ? List.of(Role.EVAL) : List.of(Role.QUERY, Role.GALLERY);
        List<Role> missing = needed.stream().filter(r -> !byRole.containsKey(r)).toList();
        if (!missing.isEmpty()) {
            throw new DatasetException(dataset + ": " + evalMode.key() + " evaluation needs "
                    + needed.stream().map(Role::key).collect(Collectors.joining(" and "))
                    + " images, but there are no " + missing.stream().map(Role::key).collect(Collectors.joining(", "))
                    + " images.");
        }
    }

    @Override
    public String toString() {
        return "DatasetListing[" + dataset + ", " + samples.size() + " samples, " + numTrainClasses + " training classes, "
                + evalMode.key() + ", recall@" + Arrays.toString(recallK) + "]";
    }
}
