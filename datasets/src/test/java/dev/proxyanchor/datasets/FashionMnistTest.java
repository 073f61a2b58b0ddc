package dev.proxyanchor.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {

    @TempDir
    Path tmp;

    static void assumeDebianPackage() {
        assumeTrue(Files.isDirectory(Path.of(FashionMnist.DEBIAN_ROOT)), FashionMnist.DEBIAN_ROOT
                + " is absent: run submit/setup-debian.sh (Debian package dataset-fashion-mnist)");
    }

    @Test
    void debianFilesGiveTheZeroShotSplit() {
        assumeDebianPackage();
        FashionMnist reader = new FashionMnist();
        DatasetListing listing = reader.list(reader.defaultRoot(), DatasetOptions.defaults(), new Configuration());
        assertEquals(5, listing.numTrainClasses());
        assertEquals(30000, listing.imageCount(Role.TRAIN));
        assertEquals(5000, listing.imageCount(Role.EVAL));
        assertEquals(0, listing.imageCount(Role.EVAL_SEEN));
        assertTrue(listing.samples(Role.TRAIN).stream().allMatch(s -> s.label() < 5));
        assertTrue(listing.samples(Role.EVAL).stream().allMatch(s -> s.label() >= 5));
        assertTrue(listing.samples(Role.EVAL).get(0).uri().matches("file:/usr/share/datasets/fashion-mnist/"
                + "t10k-images-idx3-ubyte\\.gz#\\d+"), listing.samples(Role.EVAL).get(0).uri());
    }

    @Test
    void evalSeenAddsTestImagesOfTrainingClasses() {
        assumeDebianPackage();
        DatasetListing listing = new FashionMnist().list(FashionMnist.DEBIAN_ROOT,
                DatasetOptions.defaults().withEvalSeen(true), new Configuration());
        assertEquals(5000, listing.imageCount(Role.EVAL_SEEN));
        assertEquals(5, listing.classCount(Role.EVAL_SEEN));
        assertTrue(listing.samples(Role.EVAL_SEEN).stream().allMatch(s -> s.label() < 5));
        assertEquals(40000, listing.samples().size());
    }

    @Test
    void missingIdxFileNamesTheSetupScript() throws Exception {
        DatasetFixtures.fashionMnist(tmp);
        Files.delete(tmp.resolve("t10k-labels-idx1-ubyte.gz"));
        DatasetException e = assertThrows(DatasetException.class,
                () -> new FashionMnist().list(tmp.toString(), DatasetOptions.defaults(), new Configuration()));
        assertTrue(e.getMessage().contains("t10k-labels-idx1-ubyte") && e.getMessage().contains("setup-debian.sh"),
                e.getMessage());
    }

    @Test
    void imageAndLabelCountsMustMatch() {
        DatasetFixtures.fashionMnist(tmp);
        TestImages.write(tmp.resolve("train-labels-idx1-ubyte.gz"),
                DatasetFixtures.idx(0x801, new int[] {39}, new byte[39]));
        DatasetException e = assertThrows(DatasetException.class,
                () -> new FashionMnist().list(tmp.toString(), DatasetOptions.defaults(), new Configuration()));
        assertTrue(e.getMessage().contains("40 images but") && e.getMessage().contains("39 labels"), e.getMessage());
    }

    /** Listing finds it, on the driver, before Spark and the network start; the first training task used to. */
    @Test
    void truncatedImagesFileIsRefusedWhenListed() throws Exception {
        DatasetFixtures.fashionMnist(tmp);
        for (String name : List.of("train-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte.gz")) {
            Path file = tmp.resolve(name);
            byte[] whole = Files.readAllBytes(file);
            Files.write(file, Arrays.copyOf(whole, whole.length / 2));
            DatasetException e = assertThrows(DatasetException.class,
                    () -> new FashionMnist().list(tmp.toString(), DatasetOptions.defaults(), new Configuration()));
            assertTrue(e.getMessage().contains(name) && e.getMessage().contains("truncated"), e.getMessage());
            Files.write(file, whole);
        }
        byte[] cutIdx = DatasetFixtures.idx(0x803, new int[] {40, 28, 28}, new byte[40 * 28 * 28 - 1]);
        TestImages.write(tmp.resolve("train-images-idx3-ubyte.gz"), cutIdx);
        DatasetException e = assertThrows(DatasetException.class,
                () -> new FashionMnist().list(tmp.toString(), DatasetOptions.defaults(), new Configuration()));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void labelOutsideTenClassesIsNamed() {
        DatasetFixtures.fashionMnist(tmp);
        byte[] labels = new byte[40];
        labels[17] = 12;
        TestImages.write(tmp.resolve("train-labels-idx1-ubyte.gz"), DatasetFixtures.idx(0x801, new int[] {40}, labels));
        DatasetException e = assertThrows(DatasetException.class,
                () -> new FashionMnist().list(tmp.toString(), DatasetOptions.defaults(), new Configuration()));
        assertTrue(e.getMessage().contains("label 17 is 12"), e.getMessage());
    }
}
