package dev.proxyanchor.model.loss.miners;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.proxyanchor.model.loss.OtherLossCase;
import dev.proxyanchor.model.loss.distances.Pairwise;
import dev.proxyanchor.model.loss.distances.Rows;
import dev.proxyanchor.model.loss.distances.Similarity;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;

/** The multi-similarity miner alone against the pairs PML mined in every MS reference case (as sets of pairs). */
class MultiSimilarityMinerTest {

    static List<OtherLossCase> cases() {
        return OtherLossCase.of("MS");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void minesThePairsPmlMined(OtherLossCase c) {
        Pairwise s = Similarity.COSINE.within(Rows.of(c.input("X", DataType.DOUBLE)));
        MultiSimilarityMiner.Mined mined = new MultiSimilarityMiner(MultiSimilarityMiner.DEFAULT_EPSILON)
                .mine(s, c.labels());
        assertEquals(OtherLossCase.pairSet(c.mined("a1"), c.mined("p")), pairs(mined.positives()), c + ": positives");
        assertEquals(OtherLossCase.pairSet(c.mined("a2"), c.mined("n")), pairs(mined.negatives()), c + ": negatives");
    }

    private static List<String> pairs(IndexPairs pairs) {
        return OtherLossCase.pairSet(pairs.anchors(), pairs.others());
    }
}
