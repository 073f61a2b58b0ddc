package dev.proxyanchor.model.loss.miners;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.proxyanchor.model.loss.OtherLossCase;
import dev.proxyanchor.model.loss.distances.PairwiseDistance;
import dev.proxyanchor.model.loss.distances.Rows;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The semi-hard triplet miner alone against the triplets PML mined in every Triplet case, in PML's order, and its
 * counts against its own list.
 */
class TripletMarginMinerTest {

    static List<OtherLossCase> cases() {
        return OtherLossCase.of("Triplet");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void minesTheTripletsPmlMinedInItsOrder(OtherLossCase c) {
        PairwiseDistance delta = PairwiseDistance.of(Rows.of(c.input("X", DataType.DOUBLE)));
        IndexTriplets mined = new TripletMarginMiner(TripletMarginMiner.DEFAULT_MARGIN).mine(delta, c.labels());
        assertArrayEquals(c.mined("anchor"), mined.anchors(), c + ": anchors");
        assertArrayEquals(c.mined("positive"), mined.positives(), c + ": positives");
        assertArrayEquals(c.mined("negative"), mined.negatives(), c + ": negatives");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void countsWhatItLists(OtherLossCase c) {
        TripletMarginMiner miner = new TripletMarginMiner(TripletMarginMiner.DEFAULT_MARGIN);
        PairwiseDistance delta = PairwiseDistance.of(Rows.of(c.input("X", DataType.DOUBLE)));
        IndexTriplets mined = miner.mine(delta, c.labels());
        int n = c.labels().length;
        int[] byPositive = new int[n * n];
        double[] negativeSum = new double[n * n];
        int[] byNegative = new int[n * n];
        long inside = 0;
        for (int t = 0; t < mined.size(); t++) {
            int a = mined.anchors()[t];
            int p = mined.positives()[t];
            int neg = mined.negatives()[t];
            if (miner.insideMargin(delta.get(a, p), delta.get(a, neg))) {
                inside++;
                byPositive[a * n + p]++;
                negativeSum[a * n + p] += delta.get(a, neg);
                byNegative[a * n + neg]++;
            }
        }
        TripletMarginMiner.Counts counts = miner.count(delta, c.labels());
        assertEquals(mined.size(), counts.kept(), c + ": kept");
        assertEquals(inside, counts.inside(), c + ": inside the margin");
        assertArrayEquals(byPositive, counts.insideByPositive(), c + ": per (anchor, positive)");
        assertArrayEquals(negativeSum, counts.negativeSumByPositive(), 1e-12, c + ": negative distances summed");
        assertArrayEquals(byNegative, counts.insideByNegative(), c + ": per (anchor, negative)");
    }
}
