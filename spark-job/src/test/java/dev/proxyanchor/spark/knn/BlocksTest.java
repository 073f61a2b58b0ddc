package dev.proxyanchor.spark.knn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import scala.Tuple2;

class BlocksTest {

    private static Tuple2<Embedding, Long> row(long index) {
        return new Tuple2<>(new Embedding(100 + index, (int) index, new float[] {index, -index}), index);
    }

    @Test
    void blocksHoldConsecutiveIndicesAndAGapStartsANewBlock() {
        List<Tuple2<Embedding, Long>> rows = List.of(row(0), row(1), row(2), row(3), row(4), row(9), row(10));

        List<EmbeddingBlock> blocks = Blocks.cut(rows.iterator(), 2, 3);

        assertEquals(3, blocks.size());
        assertEquals(0, blocks.get(0).firstIndex());
        assertEquals(3, blocks.get(0).rows());
        assertEquals(3, blocks.get(1).firstIndex());
        assertEquals(2, blocks.get(1).rows());
        assertEquals(9, blocks.get(2).firstIndex());
        assertEquals(109, blocks.get(2).id(0));
        assertEquals(10, blocks.get(2).label(1));
        assertArrayEquals(new float[] {9, -9, 10, -10}, blocks.get(2).vectors());
    }
}
