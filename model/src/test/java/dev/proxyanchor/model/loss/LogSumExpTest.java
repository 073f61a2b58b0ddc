package dev.proxyanchor.model.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LogSumExpTest {

    @Test
    void keptTermsWithAndWithoutTheImplicitOne() {
        double[] t = {0.5, 9, -1.25, 2};
        boolean[] keep = {true, false, true, true};
        double[] w = new double[4];
        double sum = Math.exp(0.5) + Math.exp(-1.25) + Math.exp(2);
        assertEquals(Math.log(sum), LogSumExp.of(t, 0, 4, keep, false, w), 1e-15);
        assertEquals(Math.exp(2) / sum, w[3], 1e-15);
        assertEquals(0.0, w[1]);
        assertEquals(Math.log(1 + sum), LogSumExp.of(t, 0, 4, keep, true, w), 1e-15);
        assertEquals(Math.exp(0.5) / (1 + sum), w[0], 1e-15);
    }

    @Test
    void largeTermsStayFinite() {
        double[] t = {2000, 2000 + Math.log(3), -5000};
        double[] w = new double[3];
        assertEquals(2000 + Math.log(4), LogSumExp.of(t, 0, 3, null, true, w), 1e-12);
        assertEquals(0.75, w[1], 1e-12);
    }

    @Test
    void nothingKeptIsMinusInfinityOrZeroWithTheOne() {
        double[] w = {7, 7};
        assertEquals(Double.NEGATIVE_INFINITY, LogSumExp.of(new double[] {1, 2}, 0, 2, new boolean[2], false, w));
        assertEquals(0.0, w[0]);
        assertEquals(0.0, LogSumExp.of(new double[] {1, 2}, 0, 2, new boolean[2], true, w));
    }
}
