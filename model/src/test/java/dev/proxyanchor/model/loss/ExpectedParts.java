package dev.proxyanchor.model.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.proxyanchor.model.loss.distances.PairwiseDistance;
import dev.proxyanchor.model.loss.distances.Rows;
import dev.proxyanchor.model.loss.miners.IndexPairs;
import dev.proxyanchor.model.loss.miners.IndexTriplets;
import dev.proxyanchor.model.loss.miners.TripletMarginMiner;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The parts a reference case reports besides the loss and gradients (mined tuples, counts, partial losses), checked
 * against what each loss's value reports, by the value's type.
 */
final class ExpectedParts {

    private static final Map<Class<?>, BiConsumer<OtherLossCase, MetricLoss.Value>> CHECKS = Map.of(
            ProxyNcaLoss.Result.class, (c, v) -> proxyNca(c, (ProxyNcaLoss.Result) v),
            MultiSimilarityLoss.Result.class, (c, v) -> multiSimilarity(c, (MultiSimilarityLoss.Result) v),
            ContrastiveLoss.Result.class, (c, v) -> contrastive(c, (ContrastiveLoss.Result) v),
            TripletMarginLoss.Result.class, (c, v) -> triplet(c, (TripletMarginLoss.Result) v),
            NPairsLoss.Result.class, (c, v) -> nPairs(c, (NPairsLoss.Result) v));

    private ExpectedParts() {
    }

    static void check(OtherLossCase c, MetricLoss.Value value) {
        BiConsumer<OtherLossCase, MetricLoss.Value> check = CHECKS.get(value.getClass());
        if (check == null) {
            throw new AssertionError(c + ": no expectations for " + value.getClass().getName());
        }
        check.accept(c, value);
    }

    private static void multiSimilarity(OtherLossCase c, MultiSimilarityLoss.Result r) {
        assertEquals(OtherLossCase.pairSet(c.mined("a1"), c.mined("p")), pairSet(r.mined().positives()),
                c + ": mined positives");
        assertEquals(OtherLossCase.pairSet(c.mined("a2"), c.mined("n")), pairSet(r.mined().negatives()),
                c + ": mined negatives");
        assertEquals(c.part("num_pos_pairs").asInt(), r.mined().positives().size(), c + ": positive pairs");
        assertEquals(c.part("num_neg_pairs").asInt(), r.mined().negatives().size(), c + ": negative pairs");
        assertEquals(c.part("short_circuit_all_lists_len_le_1").asBoolean(), r.shortCircuit(), c + ": short-circuit");
    }

    private static void contrastive(OtherLossCase c, ContrastiveLoss.Result r) {
        double rel = c.tolerance("float64_loss_rel");
        OtherLossesReferenceCasesTest.assertRelative(c.part("pos_loss").asDouble(), r.positiveLoss(), rel,
                c + ": positive average");
        OtherLossesReferenceCasesTest.assertRelative(c.part("neg_loss").asDouble(), r.negativeLoss(), rel,
                c + ": negative average");
        assertEquals(c.part("num_pos_pairs").asInt(), r.positivePairs(), c + ": positive pairs");
        assertEquals(c.part("num_neg_pairs").asInt(), r.negativePairs(), c + ": negative pairs");
        assertEquals(c.part("num_pos_pairs_nonzero").asInt(), r.positivePairsNonZero(), c + ": positive divisor");
        assertEquals(c.part("num_neg_pairs_nonzero").asInt(), r.negativePairsNonZero(), c + ": negative divisor");
    }

    private static void triplet(OtherLossCase c, TripletMarginLoss.Result r) {
        IndexTriplets mined = new TripletMarginMiner(TripletMarginMiner.DEFAULT_MARGIN)
                .mine(PairwiseDistance.of(Rows.of(c.input("X", DataType.DOUBLE))), c.labels());
        assertArrayEquals(c.mined("anchor"), mined.anchors(), c + ": anchors");
        assertArrayEquals(c.mined("positive"), mined.positives(), c + ": positives");
        assertArrayEquals(c.mined("negative"), mined.negatives(), c + ": negatives");
        assertEquals(c.part("num_triplets").asInt(), r.triplets(), c + ": triplets the loss counted");
        assertEquals(c.part("num_triplets_nonzero").asInt(), r.tripletsNonZero(), c + ": triplets with a loss");
    }

    private static void nPairs(OtherLossCase c, NPairsLoss.Result r) {
        assertArrayEquals(c.mined("anchor"), r.pairs().anchors(), c + ": anchors");
        assertArrayEquals(c.mined("positive"), r.pairs().others(), c + ": positives");
        assertEquals(c.part("num_pairs").asInt(), r.pairs().size(), c + ": pairs");
    }

    private static List<String> pairSet(IndexPairs pairs) {
        return OtherLossCase.pairSet(pairs.anchors(), pairs.others());
    }

    private static void proxyNca(OtherLossCase c, ProxyNcaLoss.Result r) {
        assertEquals(c.part("rows_used").size(), r.rowsUsed(), c + ": rows used");
    }
}
