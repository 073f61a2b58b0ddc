package dev.proxyanchor.model.checkpoint;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which of a dataset's training classes a run trained on and which it held out as a class-disjoint validation set
 * ({@code train --val-classes}). Training labels, and the proxies of a loss with proxies, cover exactly the trained
 * classes, renumbered densely: training label {@code i} is the dataset's class {@code trainedClasses.get(i)}. The
 * held-out classes' training images are the validation set, under their dataset labels.
 *
 * @param valClasses     the {@code --val-classes} value the split was made with, as given (a count or a fraction)
 * @param heldOutClasses the held-out classes, dataset labels in ascending order
 * @param trainedClasses the trained classes, dataset labels in ascending order: the i-th is training label i
 */
public record ValidationSplit(String valClasses, List<Integer> heldOutClasses, List<Integer> trainedClasses) {

    public ValidationSplit {
        heldOutClasses = List.copyOf(heldOutClasses);
        trainedClasses = List.copyOf(trainedClasses);
        requireAscending("held-out", heldOutClasses);
        requireAscending("trained", trainedClasses);
        Set<Integer> both = new HashSet<>(heldOutClasses);
        both.retainAll(trainedClasses);
        if (!both.isEmpty() || heldOutClasses.isEmpty() || trainedClasses.isEmpty()) {
            throw new IllegalArgumentException("a validation split holds out some classes and trains on the others, "
                    + "never both: held out " + heldOutClasses + ", trained " + trainedClasses);
        }
    }

    private static void requireAscending(String which, List<Integer> classes) {
        for (int i = 1; i < classes.size(); i++) {
            if (classes.get(i) <= classes.get(i - 1)) {
                throw new IllegalArgumentException("the " + which + " classes of a validation split must be distinct "
                        + "and ascending, got " + classes);
            }
        }
    }
}
