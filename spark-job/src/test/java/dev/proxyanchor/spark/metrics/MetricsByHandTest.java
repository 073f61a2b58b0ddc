package dev.proxyanchor.spark.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxyanchor.spark.knn.NeighbourList;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import scala.Tuple2;

class MetricsByHandTest {

    private static NeighbourList list(int queryLabel, int... labels) {
        long[] ids = new long[labels.length];
        float[] scores = new float[labels.length];
        for (int i = 0; i < labels.length; i++) {
            ids[i] = i;
            scores[i] = 1f - i * 0.1f;
        }
        return new NeighbourList(99, queryLabel, ids, labels, scores);
    }

    @Test
    void recallCountsTheFirstSameLabelNeighbour() {
        int rank = RecallAtK.firstMatchRank(list(1, 2, 1, 1, 3, 1));

        assertEquals(2, rank);
        assertFalse(RecallAtK.hit(rank, 1));
        assertTrue(RecallAtK.hit(rank, 2));
        assertEquals(RecallAtK.NO_MATCH, RecallAtK.firstMatchRank(list(1, 2, 3, 4)));
    }

    @Test
    void mapAtRAveragesPrecisionAtTheRelevantRanksOfTheFirstR() {
        // R = 3, relevant at ranks 1 and 3: (1/1 + 2/3) / 3 = 5/9; R-Precision 2/3.
        NeighbourList l = list(1, 1, 2, 1, 1, 1);
        assertEquals(5.0 / 9, MapAtR.averagePrecisionAtR(l, 3), 1e-12);
        assertEquals(2.0 / 3, MapAtR.rPrecision(l, 3), 1e-12);

        // R = 2, relevant at rank 2 only: (1/2) / 2 = 0.25; R-Precision 1/2.
        NeighbourList m = list(7, 3, 7, 7);
        assertEquals(0.25, MapAtR.averagePrecisionAtR(m, 2), 1e-12);
        assertEquals(0.5, MapAtR.rPrecision(m, 2), 1e-12);
    }

    @Test
    void nmiOfAHandCountedContingencyTable() {
        // labels 0,0,1,1 vs clusters 0,1,1,1: I = 0.25 ln 2 + 0.25 ln(2/3) + 0.5 ln(4/3) = 0.215762,
        // H(labels) = ln 2, H(clusters) = 0.562335, NMI = I / mean = 0.343712.
        Map<Tuple2<Integer, Integer>, Long> counts = new HashMap<>();
        counts.put(new Tuple2<>(0, 0), 1L);
        counts.put(new Tuple2<>(0, 1), 1L);
        counts.put(new Tuple2<>(1, 1), 2L);
        assertEquals(0.343712, Nmi.fromContingency(counts), 1e-6);

        Map<Tuple2<Integer, Integer>, Long> perfect = new HashMap<>();
        perfect.put(new Tuple2<>(0, 5), 2L);
        perfect.put(new Tuple2<>(1, 3), 2L);
        assertEquals(1.0, Nmi.fromContingency(perfect), 1e-12);

        Map<Tuple2<Integer, Integer>, Long> oneCluster = new HashMap<>();
        oneCluster.put(new Tuple2<>(0, 0), 2L);
        oneCluster.put(new Tuple2<>(1, 0), 2L);
        assertEquals(0.0, Nmi.fromContingency(oneCluster), 1e-12);
    }
}
