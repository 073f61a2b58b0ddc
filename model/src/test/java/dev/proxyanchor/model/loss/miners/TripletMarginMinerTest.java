package dev.proxyanchor.model.loss.miners;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.proxyanchor.model.loss.OtherLossCase;
import dev.proxyanchor.model.loss.distances.PairwiseDistance;
import dev.proxyanchor.model.loss.distances.Rows;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;

/** The semi-hard triplet miner alone against the triplets PML mined in every Triplet case, in PML's order. */
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
}
