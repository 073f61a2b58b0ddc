package dev.proxyanchor.model.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxyanchor.model.loss.distances.PairwiseDistance;
import dev.proxyanchor.model.loss.distances.Rows;
import dev.proxyanchor.model.loss.miners.IndexTriplets;
import dev.proxyanchor.model.loss.miners.TripletMarginMiner;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The triplet loss's sums over the miner's counts against the listed triplets one by one, on a batch larger than
 * the reference cases (96 rows of 6 classes, embeddings in a narrow cone so that thousands of triplets are
 * semi-hard), and its gradient against central differences.
 */
class TripletMarginLossTest {

    @Test
    void countedSumsEqualThePerTripletLossAndGradient() {
        Random random = new Random(11);
        int batch = 96;
        int dim = 16;
        double[] x = new double[batch * dim];
        int[] labels = new int[batch];
        for (int i = 0; i < batch; i++) {
            labels[i] = random.nextInt(6);
            for (int c = 0; c < dim; c++) {
                x[i * dim + c] = (c == 0 ? 3 : 0) + random.nextGaussian() * 0.3;
            }
        }
        INDArray embeddings = Nd4j.create(x, new long[] {batch, dim}, DataType.DOUBLE);
        TripletMarginLoss.Result r = new TripletMarginLoss().evaluate(embeddings, oneHot(labels, 6));

        double perTriplet = perTripletLoss(x, batch, dim, labels);
        assertTrue(r.triplets() > 1000, "few semi-hard triplets: " + r.triplets());
        assertEquals(perTriplet, r.loss(), 1e-12 * perTriplet);

        double h = 1e-6;
        for (int probe = 0; probe < 20; probe++) {
            int at = random.nextInt(x.length);
            double[] plus = x.clone();
            double[] minus = x.clone();
            plus[at] += h;
            minus[at] -= h;
            double numeric = (perTripletLoss(plus, batch, dim, labels) - perTripletLoss(minus, batch, dim, labels))
                    / (2 * h);
            assertEquals(numeric, r.gradient().getDouble(at / dim, at % dim), 1e-6, "element " + at);
        }
    }

    /** PML's computation over the listed triplets: mean of the positive relu((ap - an) + margin). */
    private static double perTripletLoss(double[] x, int batch, int dim, int[] labels) {
        PairwiseDistance delta = PairwiseDistance.of(new Rows(x, batch, dim));
        IndexTriplets t = new TripletMarginMiner(TripletMarginMiner.DEFAULT_MARGIN).mine(delta, labels);
        double sum = 0;
        int positive = 0;
        for (int k = 0; k < t.size(); k++) {
            double l = Math.max(0, delta.get(t.anchors()[k], t.positives()[k])
                    - delta.get(t.anchors()[k], t.negatives()[k]) + TripletMarginLoss.MARGIN);
            sum += l;
            positive += l > 0 ? 1 : 0;
        }
        return positive == 0 ? 0 : sum / positive;
    }

    private static INDArray oneHot(int[] labels, int classes) {
        INDArray oneHot = Nd4j.zeros(DataType.DOUBLE, labels.length, classes);
        for (int i = 0; i < labels.length; i++) {
            oneHot.putScalar(i, labels[i], 1.0);
        }
        return oneHot;
    }
}
