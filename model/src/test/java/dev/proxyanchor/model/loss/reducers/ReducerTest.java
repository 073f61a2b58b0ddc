package dev.proxyanchor.model.loss.reducers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ReducerTest {

    private static final double[] LOSSES = {0.5, 0, 1.5, 0, 1};

    @Test
    void meanCountsEveryElement() {
        Reduction r = Reducer.mean().reduce(LOSSES);
        assertEquals(3.0 / 5, r.value(), 1e-15);
        assertArrayEquals(new double[] {0.2, 0.2, 0.2, 0.2, 0.2}, r.weights(), 1e-15);
        assertEquals(0.0, Reducer.mean().reduce(new double[0]).value());
    }

    @Test
    void meanOverNonZeroCountsOnlyPositiveLosses() {
        Reduction r = Reducer.meanOverNonZero().reduce(LOSSES);
        assertEquals(1.0, r.value(), 1e-15);
        assertArrayEquals(new double[] {1.0 / 3, 0, 1.0 / 3, 0, 1.0 / 3}, r.weights(), 1e-15);
        assertEquals(0.0, Reducer.meanOverNonZero().reduce(new double[] {0, 0}).value());
    }

    @Test
    void divisorIgnoresTheNumberOfElements() {
        Reduction r = Reducer.dividedBy(10).reduce(LOSSES);
        assertEquals(0.3, r.value(), 1e-15);
        assertArrayEquals(new double[] {0.1, 0.1, 0.1, 0.1, 0.1}, r.weights(), 1e-15);
    }
}
