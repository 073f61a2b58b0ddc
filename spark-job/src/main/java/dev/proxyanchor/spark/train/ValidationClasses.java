package dev.proxyanchor.spark.train;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.proxyanchor.datasets.DatasetListing;
import dev.proxyanchor.datasets.Role;
import dev.proxyanchor.datasets.Sample;
import dev.proxyanchor.model.UsageException;
import dev.proxyanchor.model.checkpoint.ValidationSplit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * {@code --val-classes}: how many of the dataset's training classes a run holds out of training as a class-disjoint
 * validation set, either a count or a fraction in (0, 1) of the training classes (rounded to the nearest count), and
 * the seeded choice of which. Choosing {@code best/} on classes that are neither trained on nor tested on is the
 * practice of "A Metric Learning Reality Check" (Musgrave et al., ECCV 2020).
 *
 * <p>At least 2 classes are held out (the images of a single class have only same-class neighbours, so its Recall@K
 * and MAP@R are 1 whatever the network) and at least 2 are left to train on. A class with a single training image is
 * never held out: its image has no same-class neighbour to find.
 *
 * @param value    the flag as given, recorded in config.json and in the checkpoint
 * @param count    the number of classes, or 0 for a fraction
 * @param fraction the fraction of the training classes, or 0 for a count
 */
public record ValidationClasses(@JsonValue String value, int count, double fraction) {

    static final int MIN_CLASSES = 2;
    static final String FLAG = "--val-classes";

    public static ValidationClasses parse(String value) {
        String v = value.trim();
        try {
            return count(v, Integer.parseInt(v));
        } catch (NumberFormatException notAnInteger) {
            double fraction;
            try {
                fraction = Double.parseDouble(v);
            } catch (NumberFormatException e) {
                throw new UsageException(FLAG + " takes a number of training classes to hold out for validation "
                        + "(2 or more) or a fraction of them in (0, 1), e.g. 0.2; got '" + value + "'");
            }
            if (!(fraction > 0 && fraction < 1)) {
                throw new UsageException(FLAG + " " + v + ": a fraction of the training classes must be in "
                        + "(0, 1), e.g. 0.2; for a number of classes give an integer (2 or more)");
            }
            return new ValidationClasses(v, 0, fraction);
        }
    }

    private static ValidationClasses count(String v, int count) {
        if (count < MIN_CLASSES) {
            throw new UsageException(FLAG + " " + v + ": hold out at least " + MIN_CLASSES + " classes; "
                    + (count == 1 ? "the images of one class have only same-class neighbours, so its Recall@K and "
                            + "MAP@R would be 1 whatever the network learnt" : "leave the flag out to train on every "
                            + "class"));
        }
        return new ValidationClasses(v, count, 0);
    }

    /** How many of {@code trainClasses} classes to hold out; refuses a number that leaves fewer than 2 either side. */
    int resolve(String dataset, int trainClasses) {
        int n = count > 0 ? count : (int) Math.round(fraction * trainClasses);
        String held = FLAG + " " + value + (count > 0 ? "" : " (" + n + " of " + dataset + "'s " + trainClasses
                + " training classes)");
        if (n < MIN_CLASSES) {
            throw new UsageException(held + " holds out fewer than " + MIN_CLASSES + " classes; a validation set "
                    + "needs at least " + MIN_CLASSES + " (the images of one class have only same-class neighbours): "
                    + "give " + FLAG + " " + MIN_CLASSES + " or a larger fraction");
        }
        if (trainClasses - n < MIN_CLASSES) {
            throw new UsageException(held + " leaves " + (trainClasses - n) + " of " + dataset + "'s "
                    + trainClasses + " training classes to train on; training needs at least " + MIN_CLASSES
                    + ": hold out at most " + (trainClasses - MIN_CLASSES) + " classes");
        }
        return n;
    }

    /**
     * The seeded choice: {@link #resolve} classes drawn at random among the training classes with at least two
     * images, the same for the same listing, value and seed.
     */
    public ValidationSplit choose(DatasetListing listing, long seed) {
        int trainClasses = listing.numTrainClasses();
        int n = resolve(listing.dataset(), trainClasses);
        List<Integer> eligible = new ArrayList<>();
        imagesPerClass(listing).forEach((label, images) -> {
            if (images >= 2) {
                eligible.add(label);
            }
        });
        if (eligible.size() < n) {
            throw new UsageException(FLAG + " " + value + " asks for " + n + " classes, but only "
                    + eligible.size() + " of " + listing.dataset() + "'s " + trainClasses + " training classes have "
                    + "the 2 or more images a validation class needs (a class with a single image has no same-class "
                    + "neighbour to find): hold out at most " + eligible.size());
        }
        Collections.shuffle(eligible, new Random(seed));
        List<Integer> heldOut = eligible.subList(0, n).stream().sorted().toList();
        List<Integer> trained = new ArrayList<>();
        for (int c = 0; c < trainClasses; c++) {
            if (Collections.binarySearch(heldOut, c) < 0) {
                trained.add(c);
            }
        }
        return new ValidationSplit(value, heldOut, trained);
    }

    /** The training classes with a single image, which the choice passes over: for the start-up log. */
    static long singleImageClasses(DatasetListing listing) {
        return imagesPerClass(listing).values().stream().filter(images -> images < 2).count();
    }

    private static Map<Integer, Long> imagesPerClass(DatasetListing listing) {
        return new TreeMap<>(listing.samples(Role.TRAIN).stream()
                .collect(Collectors.groupingBy(Sample::label, Collectors.counting())));
    }
}
