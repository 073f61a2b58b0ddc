package dev.proxyanchor.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StanfordOnlineProductsTest {

    @TempDir
    Path tmp;

    private DatasetListing list() {
        return new StanfordOnlineProducts().list(tmp.toString(), DatasetOptions.defaults(), new Configuration());
    }

    private Path trainFile() {
        return tmp.resolve("Stanford_Online_Products/Ebay_train.txt");
    }

    private void appendTrainLine(String line) throws IOException {
        Files.writeString(trainFile(), Files.readString(trainFile()) + line + "\n");
    }

    @Test
    void headerSkippedLabelIsClassIdMinusOneTrainFileTrainsTestFileEvaluates() {
        DatasetFixtures.sop(tmp);
        DatasetListing listing = list();
        assertEquals(5, listing.numTrainClasses());
        assertEquals(10, listing.imageCount(Role.TRAIN));
        assertEquals(12, listing.imageCount(Role.EVAL));
        assertArrayEquals(new int[] {1, 10, 100, 1000}, listing.recallK());
        assertEquals(0, listing.samples(Role.TRAIN).get(0).label());
        assertEquals(11318, listing.samples(Role.EVAL).get(0).label());
        assertTrue(listing.samples(Role.TRAIN).get(0).uri()
                .endsWith("Stanford_Online_Products/bicycle_final/111085122872_0.JPG"));
    }

    @Test
    void missingTestFileIsNamed() throws IOException {
        DatasetFixtures.sop(tmp);
        Files.delete(tmp.resolve("Stanford_Online_Products/Ebay_test.txt"));
        DatasetException e = assertThrows(DatasetException.class, this::list);
        assertTrue(e.getMessage().contains("missing file") && e.getMessage().contains("Ebay_test.txt"),
                e.getMessage());
    }

    @Test
    void lineWithWrongColumnCountIsNamedWithItsNumber() throws IOException {
        DatasetFixtures.sop(tmp);
        appendTrainLine("99 3 bicycle_final/x.JPG");
        DatasetException e = assertThrows(DatasetException.class, this::list);
        assertTrue(e.getMessage().contains("Ebay_train.txt line 12") && e.getMessage().contains("4 columns"),
                e.getMessage());
    }

    @Test
    void nonNumericClassIdIsNamed() throws IOException {
        DatasetFixtures.sop(tmp);
        appendTrainLine("99 three 1 bicycle_final/111085122872_0.JPG");
        DatasetException e = assertThrows(DatasetException.class, this::list);
        assertTrue(e.getMessage().contains("line 12") && e.getMessage().contains("'three'"), e.getMessage());
    }

    @Test
    void testClassInTrainFileIsOutOfRange() throws IOException {
        DatasetFixtures.sop(tmp);
        appendTrainLine("99 11400 1 bicycle_final/111085122872_0.JPG");
        DatasetException e = assertThrows(DatasetException.class, this::list);
        assertTrue(e.getMessage().contains("class_id 11400 is outside 1..11318"), e.getMessage());
    }

    @Test
    void missingImageIsNamedWithItsLine() throws IOException {
        DatasetFixtures.sop(tmp);
        Files.delete(tmp.resolve("Stanford_Online_Products/chair_final/221085134190_1.JPG"));
        DatasetException e = assertThrows(DatasetException.class, this::list);
        assertTrue(e.getMessage().contains("221085134190_1.JPG (Ebay_test.txt line 3)"), e.getMessage());
    }
}
