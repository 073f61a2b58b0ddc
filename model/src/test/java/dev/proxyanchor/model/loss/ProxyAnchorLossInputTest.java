package dev.proxyanchor.model.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxyanchor.model.UserInputException;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ProxyAnchorLossInputTest {

    private final ProxyAnchorLoss loss = new ProxyAnchorLoss();

    @Test
    void labelsThatAreNotOneHotNameTheRow() {
        INDArray cos = Nd4j.zeros(DataType.FLOAT, 3, 4);
        INDArray labels = Nd4j.create(new float[][] {{1, 0, 0, 0}, {0, 1, 1, 0}, {0, 0, 0, 1}});
        UserInputException e = assertThrows(UserInputException.class, () -> loss.compute(cos, labels));
        assertTrue(e.getMessage().contains("row 1"), e.getMessage());
    }

    @Test
    void labelCountDifferentFromProxyCountIsExplained() {
        UserInputException e = assertThrows(UserInputException.class,
                () -> loss.compute(Nd4j.zeros(DataType.FLOAT, 2, 4), Nd4j.zeros(DataType.FLOAT, 2, 5)));
        assertTrue(e.getMessage().contains("number of proxies"), e.getMessage());
    }

    @Test
    void nanInTheCosinesStopsWithAMessage() {
        INDArray cos = Nd4j.zeros(DataType.FLOAT, 2, 2);
        cos.putScalar(1, 1, Float.NaN);
        INDArray labels = Nd4j.create(new float[][] {{1, 0}, {0, 1}});
        UserInputException e = assertThrows(UserInputException.class, () -> loss.compute(cos, labels));
        assertTrue(e.getMessage().contains("NaN"), e.getMessage());
    }

    @Test
    void unaveragedScoreIsBatchTimesLossSoDl4jReportsTheLoss() {
        INDArray cos = Nd4j.rand(DataType.DOUBLE, 6, 3).subi(0.5);
        INDArray labels = Nd4j.create(new double[][] {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {1, 0, 0}, {0, 1, 0}, {0, 0, 1}});
        double l = loss.compute(cos, labels).loss();
        assertEquals(6 * l, loss.computeScore(labels, cos, new ActivationIdentity(), null, false), 1e-12);
        assertEquals(l, loss.computeScore(labels, cos, new ActivationIdentity(), null, true), 1e-12);
        assertEquals(l, loss.computeScoreArray(labels, cos, new ActivationIdentity(), null).meanNumber().doubleValue(), 1e-12);
    }

    @Test
    void largeCosinesStayFinite() {
        INDArray cos = Nd4j.create(new double[][] {{1, -1}, {-1, 1}});
        INDArray labels = Nd4j.create(new double[][] {{0, 1}, {1, 0}});
        ProxyAnchorLoss.Result r = new ProxyAnchorLoss(1000, 0.1).compute(cos, labels);
        assertTrue(Double.isFinite(r.loss()) && r.loss() > 1000, "loss " + r.loss());
        assertTrue(!r.dLossDCos().isNaN().any(), "NaN in the gradient");
    }
}
