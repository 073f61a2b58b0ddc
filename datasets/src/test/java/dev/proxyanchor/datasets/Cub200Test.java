package dev.proxyanchor.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Cub200Test {

    @TempDir
    Path tmp;

    private DatasetListing list(String root) {
        return new Cub200().list(root, DatasetOptions.defaults(), new Configuration());
    }

    @Test
    void sortedClassFoldersAreLabelsFirstHundredTrainRestEvaluateUnremapped() {
        DatasetFixtures.cub(tmp);
        DatasetListing listing = list(tmp.toString());
        assertEquals(100, listing.numTrainClasses());
        assertEquals(EvalMode.SELF, listing.evalMode());
        assertEquals(134, listing.imageCount(Role.TRAIN));
        assertEquals(133, listing.imageCount(Role.EVAL));
        for (Sample s : listing.samples()) {
            int classIndex = Integer.parseInt(s.uri().replaceAll(".*/(\\d{3})\\.Bird_\\d+/.*", "$1")) - 1;
            assertEquals(classIndex, s.label(), s.uri());
            assertEquals(classIndex < 100 ? Role.TRAIN : Role.EVAL, s.role(), s.uri());
        }
        assertEquals(100, listing.samples(Role.EVAL).stream().mapToInt(Sample::label).min().orElseThrow());
        assertEquals(199, listing.samples(Role.EVAL).stream().mapToInt(Sample::label).max().orElseThrow());
    }

    @Test
    void macResourceForksAreSkipped() {
        DatasetFixtures.cub(tmp);
        assertTrue(list(tmp.toString()).samples().stream().noneMatch(s -> s.uri().contains("/._")));
    }

    @Test
    void rootMayBeTheDatasetFolderItself() {
        DatasetFixtures.cub(tmp);
        assertEquals(267, list(tmp.resolve("CUB_200_2011").toString()).samples().size());
    }

    @Test
    void missingRootIsNamed() {
        DatasetException e = assertThrows(DatasetException.class, () -> list(tmp.resolve("nowhere").toString()));
        assertTrue(e.getMessage().contains("nowhere") && e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void rootWithoutTheDatasetSaysWhereItLooked() {
        DatasetException e = assertThrows(DatasetException.class, () -> list(tmp.toString()));
        assertTrue(e.getMessage().contains("CUB_200_2011/images"), e.getMessage());
    }

    @Test
    void emptyClassFolderIsAnError() throws IOException {
        DatasetFixtures.cub(tmp);
        Path folder = tmp.resolve("CUB_200_2011/images").resolve(DatasetFixtures.cubClassFolder(150));
        try (Stream<Path> files = Files.list(folder)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        DatasetException e = assertThrows(DatasetException.class, () -> list(tmp.toString()));
        assertTrue(e.getMessage().contains("151.Bird_151") && e.getMessage().contains("no images"), e.getMessage());
    }

    @Test
    void wrongNumberOfClassFoldersIsAnError() throws IOException {
        DatasetFixtures.cub(tmp);
        Files.createDirectories(tmp.resolve("CUB_200_2011/images/201.Extra"));
        DatasetException e = assertThrows(DatasetException.class, () -> list(tmp.toString()));
        assertTrue(e.getMessage().contains("201 class folders"), e.getMessage());
    }
}
