package dev.proxyanchor.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassFoldersTest {

    @TempDir
    Path tmp;

    private DatasetListing list() {
        return new ClassFolders().list(tmp.toString(), DatasetOptions.defaults(), new Configuration());
    }

    private static Map<String, Integer> labelByClass(DatasetListing listing, Role role) {
        return listing.samples(role).stream().collect(Collectors.toMap(
                s -> new org.apache.hadoop.fs.Path(s.uri()).getParent().getName(), Sample::label, (a, b) -> a));
    }

    @Test
    void trainClassesSortedFromZeroEvalClassesAfterThem() {
        DatasetFixtures.classFolders(tmp);
        DatasetListing listing = list();
        assertEquals(Map.of("ant", 0, "cat", 1, "dog", 2), labelByClass(listing, Role.TRAIN));
        assertEquals(Map.of("bee", 3, "fox", 4), labelByClass(listing, Role.EVAL));
        assertArrayEquals(new int[] {1, 2, 4, 8, 16, 32}, listing.recallK());
    }

    @Test
    void queryAndGalleryFoldersShareOneNumbering() {
        TestImages.writeJpeg(tmp.resolve("train/a/1.png.jpg"), 1);
        TestImages.writeJpeg(tmp.resolve("query/shoe/1.jpg"), 2);
        TestImages.writeJpeg(tmp.resolve("gallery/boot/1.jpg"), 3);
        TestImages.writeJpeg(tmp.resolve("gallery/shoe/2.jpg"), 4);
        DatasetListing listing = list();
        assertEquals(EvalMode.QUERY_GALLERY, listing.evalMode());
        assertEquals(Map.of("shoe", 2), labelByClass(listing, Role.QUERY));
        assertEquals(Map.of("boot", 1, "shoe", 2), labelByClass(listing, Role.GALLERY));
        assertArrayEquals(new int[] {1, 10, 20, 30, 40, 50}, listing.recallK());
    }

    @Test
    void nonImageFilesAreNotSamples() {
        DatasetFixtures.classFolders(tmp);
        TestImages.writeText(tmp.resolve("train/cat/notes.txt"), "not an image");
        assertEquals(7, list().imageCount(Role.TRAIN));
    }

    @Test
    void neitherEvalNorQueryGalleryIsAnError() {
        TestImages.writeJpeg(tmp.resolve("train/a/1.jpg"), 1);
        DatasetException e = assertThrows(DatasetException.class, this::list);
        assertTrue(e.getMessage().contains("either eval/") && e.getMessage().contains("neither"), e.getMessage());
    }

    @Test
    void emptyClassIsAnError() throws IOException {
        DatasetFixtures.classFolders(tmp);
        Files.createDirectories(tmp.resolve("eval/owl"));
        DatasetException e = assertThrows(DatasetException.class, this::list);
        assertTrue(e.getMessage().contains("eval/owl has no images"), e.getMessage());
    }
}
