package dev.proxyanchor.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Holding training classes out for validation: who goes where, under which label. */
class DatasetListingHoldOutTest {

    /** Five training classes of 3 images each (uri "train-c-i"), three test classes, seen-class test images. */
    private static DatasetListing fiveClasses(EvalMode mode) {
        List<Sample> samples = new ArrayList<>();
        for (int c = 0; c < 5; c++) {
            for (int i = 0; i < 3; i++) {
                samples.add(new Sample("train-" + c + "-" + i, c, Role.TRAIN));
            }
        }
        for (int c = 5; c < 8; c++) {
            if (mode == EvalMode.SELF) {
                samples.add(new Sample("eval-" + c, c, Role.EVAL));
                samples.add(new Sample("seen-" + (c - 5), c - 5, Role.EVAL_SEEN));
            } else {
                samples.add(new Sample("query-" + c, c, Role.QUERY));
                samples.add(new Sample("gallery-" + c, c, Role.GALLERY));
            }
        }
        return new DatasetListing("five", samples, mode, new int[] {1, 2});
    }

    @Test
    void heldOutClassesBecomeValidationImagesAndTheRestAreRenumberedInOrder() {
        DatasetListing full = fiveClasses(EvalMode.SELF);
        DatasetListing split = full.holdOut(List.of(3, 1));

        assertEquals(3, split.numTrainClasses());
        Map<String, Integer> datasetLabel = new HashMap<>();
        full.samples(Role.TRAIN).forEach(s -> datasetLabel.put(s.uri(), s.label()));
        List<Integer> trained = List.of(0, 2, 4);
        for (Sample s : split.samples(Role.TRAIN)) {
            assertEquals(trained.get(s.label()), datasetLabel.get(s.uri()), s.uri());
        }
        assertEquals(9, split.imageCount(Role.TRAIN));
        assertEquals(List.of("train-1-0", "train-1-1", "train-1-2", "train-3-0", "train-3-1", "train-3-2"),
                split.samples(Role.VAL).stream().map(Sample::uri).toList());
        assertEquals(Set.of(1, 3), Set.copyOf(split.samples(Role.VAL).stream().map(Sample::label).toList()));
        assertEquals(full.samples(Role.EVAL), split.samples(Role.EVAL), "the test classes are untouched");
        assertEquals(List.of("seen-0", "seen-2"), split.samples(Role.EVAL_SEEN).stream().map(Sample::uri).toList(),
                "seen-class test images keep only the classes still trained on");
        assertEquals(List.of(Role.TRAIN, Role.VAL, Role.EVAL, Role.EVAL_SEEN), List.copyOf(split.roles()));
    }

    @Test
    void queryGalleryDatasetsHoldOutFromTheirTrainingSplit() {
        DatasetListing full = fiveClasses(EvalMode.QUERY_GALLERY);
        DatasetListing split = full.holdOut(List.of(0, 4));

        assertEquals(List.of("train-1-0", "train-2-0", "train-3-0"), split.samples(Role.TRAIN).stream()
                .filter(t -> t.uri().endsWith("-0")).map(Sample::uri).toList());
        assertEquals(List.of(0, 1, 2), split.samples(Role.TRAIN).stream().filter(t -> t.uri().endsWith("-0"))
                .map(Sample::label).toList());
        assertEquals(6, split.imageCount(Role.VAL));
        assertEquals(full.samples(Role.QUERY), split.samples(Role.QUERY));
        assertEquals(full.samples(Role.GALLERY), split.samples(Role.GALLERY));
    }

    @Test
    void holdingOutEveryClassOrAnUnknownOneIsRefused() {
        DatasetListing full = fiveClasses(EvalMode.SELF);
        assertThrows(IllegalArgumentException.class, () -> full.holdOut(List.of(0, 1, 2, 3, 4)));
        assertThrows(IllegalArgumentException.class, () -> full.holdOut(List.of(5)));
        assertThrows(IllegalArgumentException.class, () -> full.holdOut(List.of()));
    }
}
