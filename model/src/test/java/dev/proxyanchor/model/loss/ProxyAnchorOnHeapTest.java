package dev.proxyanchor.model.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The heap computation that {@link ProxyAnchorLoss#compute} uses on the CPU backend against the ND4J one it uses on
 * GPUs, on batches with proxies that have no positive, several positives and many classes (the reference cases
 * check {@code compute} itself against the official code).
 */
class ProxyAnchorOnHeapTest {

    @ParameterizedTest
    @CsvSource({"128, 5, 1", "32, 100, 2", "180, 2000, 3", "7, 3, 4"})
    void heapAndNd4jComputationsAgree(int batch, int classes, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray cos = Nd4j.rand(DataType.FLOAT, batch, classes).muli(2).subi(1);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, batch, classes);
        for (int i = 0; i < batch; i++) {
            labels.putScalar(i, (int) ((i * 7 + seed) % Math.max(1, classes - 1)), 1f);
        }
        ProxyAnchorLoss loss = new ProxyAnchorLoss();
        ProxyAnchorLoss.Result heap = loss.compute(cos, labels);
        ProxyAnchorLoss.Result nd4j = loss.computeWithNd4j(cos, labels);

        assertEquals(nd4j.proxiesWithPositives(), heap.proxiesWithPositives());
        assertTrue(heap.proxiesWithPositives() < classes, "a proxy without positives is covered");
        assertEquals(nd4j.loss(), heap.loss(), 1e-12 * Math.abs(nd4j.loss()));
        assertEquals(nd4j.positiveTerm(), heap.positiveTerm(), 1e-12 * Math.abs(nd4j.positiveTerm()));
        assertEquals(nd4j.negativeTerm(), heap.negativeTerm(), 1e-12 * Math.abs(nd4j.negativeTerm()));
        double scale = nd4j.dLossDCos().amaxNumber().doubleValue();
        double diff = nd4j.dLossDCos().sub(heap.dLossDCos()).amaxNumber().doubleValue();
        assertTrue(diff <= 1e-12 * scale, "dL/dcos differs by " + diff + " (largest " + scale + ")");
    }
}
