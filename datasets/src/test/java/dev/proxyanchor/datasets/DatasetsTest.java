package dev.proxyanchor.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxyanchor.datasets.DatasetFixtures.Fixture;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

class DatasetsTest {

    @TempDir
    Path tmp;

    @Test
    void namesAreTheOnesUsersType() {
        assertEquals(List.of("cub", "cars", "SOP", "Inshop", "fmnist", "folder"), Datasets.names());
    }

    @Test
    void namesMatchCaseInsensitively() {
        assertEquals("SOP", Datasets.reader("sop").name());
        assertEquals("Inshop", Datasets.reader("INSHOP").name());
        assertEquals("cub", Datasets.reader("Cub").name());
    }

    @Test
    void unknownNameListsTheKnownOnes() {
        DatasetException e = assertThrows(DatasetException.class, () -> Datasets.reader("imagenet"));
        assertTrue(e.getMessage().contains("'imagenet'"), e.getMessage());
        assertTrue(e.getMessage().contains("cub, cars, SOP, Inshop, fmnist, folder"), e.getMessage());
    }

    @TestFactory
    Stream<DynamicTest> everyRegisteredReaderListsItsFixture() {
        return Datasets.names().stream().map(name -> DynamicTest.dynamicTest(name, () -> {
            Fixture fixture = DatasetFixtures.of(name, tmp.resolve(name));
            DatasetListing listing = Datasets.reader(name).list(fixture.root(), DatasetOptions.defaults(),
                    new Configuration());
            assertEquals(fixture.trainClasses(), listing.numTrainClasses(), "training classes");
            assertEquals(fixture.evalMode(), listing.evalMode(), "eval mode");
            assertEquals(fixture.imagesAndClasses().keySet(), listing.roles(), "roles");
            for (Map.Entry<Role, int[]> role : fixture.imagesAndClasses().entrySet()) {
                assertArrayEquals(role.getValue(), new int[] {listing.imageCount(role.getKey()),
                        listing.classCount(role.getKey())}, role.getKey() + " images and classes");
            }
            for (Sample sample : listing.samples()) {
                assertTrue(sample.uri().startsWith("file:"), "qualified URI: " + sample.uri());
            }
        }));
    }
}
