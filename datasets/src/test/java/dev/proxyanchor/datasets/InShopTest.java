package dev.proxyanchor.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxyanchor.datasets.DatasetFixtures.InShopRow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InShopTest {

    @TempDir
    Path tmp;

    private DatasetListing list() {
        return new InShop().list(tmp.toString(), DatasetOptions.defaults(), new Configuration());
    }

    private static Map<String, Integer> labelByItem(List<Sample> samples) {
        return samples.stream().collect(Collectors.toMap(
                s -> s.uri().replaceAll(".*/(id_\\d+)/.*", "$1"), Sample::label, (a, b) -> {
                    assertEquals(a, b);
                    return a;
                }));
    }

    @Test
    void trainItemsMapToSortedNumericOrder() {
        DatasetFixtures.inShop(tmp);
        DatasetListing listing = list();
        assertEquals(EvalMode.QUERY_GALLERY, listing.evalMode());
        assertEquals(3, listing.numTrainClasses());
        assertEquals(Map.of("id_00000002", 0, "id_00000007", 1, "id_00000010", 2),
                labelByItem(listing.samples(Role.TRAIN)));
    }

    @Test
    void queryAndGalleryShareOneMappingOverTheirUnion() {
        DatasetFixtures.inShop(tmp);
        DatasetListing listing = list();
        assertEquals(Map.of("id_00000003", 0, "id_00000012", 1, "id_00000100", 3),
                labelByItem(listing.samples(Role.QUERY)));
        assertEquals(Map.of("id_00000003", 0, "id_00000012", 1, "id_00000050", 2, "id_00000100", 3),
                labelByItem(listing.samples(Role.GALLERY)));
        assertEquals(5, listing.imageCount(Role.GALLERY));
        assertTrue(listing.samples(Role.QUERY).get(0).uri().contains("Inshop_Clothes/img/WOMEN/Dresses/"));
    }

    @Test
    void unknownStatusIsNamedWithItsLine() {
        DatasetFixtures.inShop(tmp);
        List<InShopRow> rows = new ArrayList<>(DatasetFixtures.inShopRows());
        InShopRow row = rows.get(4);
        rows.set(4, new InShopRow(row.image(), row.item(), "test"));
        TestImages.writeText(tmp.resolve("Inshop_Clothes/Eval/list_eval_partition.txt"),
                DatasetFixtures.inShopPartition(rows));
        DatasetException e = assertThrows(DatasetException.class, this::list);
        assertTrue(e.getMessage().contains("line 7") && e.getMessage().contains("'test'"), e.getMessage());
    }

    @Test
    void countLineMustMatchTheRows() throws IOException {
        DatasetFixtures.inShop(tmp);
        Path file = tmp.resolve("Inshop_Clothes/Eval/list_eval_partition.txt");
        List<String> lines = Files.readAllLines(file);
        Files.write(file, lines.subList(0, lines.size() - 2));
        DatasetException e = assertThrows(DatasetException.class, this::list);
        assertTrue(e.getMessage().contains("declares 12 images but 10"), e.getMessage());
    }

    @Test
    void missingImageIsNamedWithItsLine() throws IOException {
        DatasetFixtures.inShop(tmp);
        Files.delete(tmp.resolve("Inshop_Clothes/img/MEN/Denim/id_00000007/03_1_front.jpg"));
        DatasetException e = assertThrows(DatasetException.class, this::list);
        assertTrue(e.getMessage().contains("03_1_front.jpg (Eval/list_eval_partition.txt line 5)"), e.getMessage());
    }

    @Test
    void missingPartitionFileSaysWhereItLooked() {
        DatasetException e = assertThrows(DatasetException.class, this::list);
        assertTrue(e.getMessage().contains("Inshop_Clothes/Eval/list_eval_partition.txt"), e.getMessage());
    }
}
