package dev.proxyanchor.model.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.linalg.schedule.FixedSchedule;

/**
 * The one-sweep float32 Adam step ({@link AdamSweep}, what a float network on the CPU backend runs) against the
 * ND4J-op step in float64 (what gradient checks and GPUs run) over several steps, on a block longer than one chunk
 * and not a multiple of it, with gradients spanning six orders of magnitude.
 */
class AdamSweepTest {

    @Test
    void oneSweepStepsMatchTheNd4jStepsInFloat64() {
        int n = 3 * 4096 + 77;
        TorchAdam config = TorchAdam.withDefaults(new FixedSchedule(1e-3));
        TorchAdamUpdater single = new TorchAdamUpdater(config);
        TorchAdamUpdater dbl = new TorchAdamUpdater(config);
        single.setStateViewArray(Nd4j.create(DataType.FLOAT, 1, 3L * n), new long[] {1, n}, 'c', true);
        dbl.setStateViewArray(Nd4j.create(DataType.DOUBLE, 1, 3L * n), new long[] {1, n}, 'c', true);
        Nd4j.getRandom().setSeed(4);
        for (int step = 0; step < 4; step++) {
            INDArray magnitudes = Transforms.exp(Nd4j.rand(DataType.DOUBLE, 1, n).muli(6).subi(4).muli(Math.log(10)),
                    false);
            INDArray g = Nd4j.randn(DataType.DOUBLE, 1, n).muli(magnitudes);
            INDArray expected = g.dup();
            INDArray actual = g.castTo(DataType.FLOAT);
            assertTrue(AdamSweep.accepts(actual.reshape(n), single.getState().get("M"), single.getState().get("V"),
                    single.getState().get("step")));
            dbl.applyUpdater(expected, step, 0);
            single.applyUpdater(actual, step, 0);
            double scale = expected.amaxNumber().doubleValue();
            double diff = expected.sub(actual.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
            assertTrue(diff <= 1e-5 * scale, "step " + step + ": update differs by " + diff + " (largest " + scale + ")");
            assertEquals(step + 1.0, single.getState().get("step").minNumber().doubleValue(), "step count");
            assertEquals(step + 1.0, single.getState().get("step").maxNumber().doubleValue(), "step count");
        }
    }

    /**
     * The sweep's float32 arithmetic is the scalar formula's, bit for bit, SIMD lanes and the tail alike, clipping the
     * gradient first or not (an infinite bound).
     */
    @ParameterizedTest
    @ValueSource(floats = {Float.POSITIVE_INFINITY, 0.75f})
    void sweepIsTheScalarFloatFormulaExactly(float clip) {
        int n = 4096 + 4099;
        Nd4j.getRandom().setSeed(9);
        INDArray state = Nd4j.rand(DataType.FLOAT, 1, 3L * n + 5);
        INDArray m = state.get(NDArrayIndex.point(0), NDArrayIndex.interval(5, 5 + n));
        INDArray v = state.get(NDArrayIndex.point(0), NDArrayIndex.interval(5 + n, 5 + 2 * n));
        INDArray count = state.get(NDArrayIndex.point(0), NDArrayIndex.interval(5 + 2 * n, 5 + 3 * n)).assign(6);
        INDArray g = Nd4j.randn(DataType.FLOAT, n);
        g.putScalar(17, Float.NaN);
        g.putScalar(4096 + 4098, -0.0f);
        float[] gs = g.toFloatVector();
        float[] ms = m.toFloatVector();
        float[] vs = v.toFloatVector();
        double beta1 = 0.9;
        double beta2 = 0.999;
        double t = 7;
        double stepSize = 1e-3 / (1 - Math.pow(beta1, t));
        double correction = Math.sqrt(1 - Math.pow(beta2, t));
        AdamSweep.step(g, m, v, count, beta1, beta2, 1e-8, stepSize, correction, clip);
        for (int i = 0; i < n; i++) {
            gs[i] = Math.max(-clip, Math.min(clip, gs[i]));
            ms[i] = ms[i] * (float) beta1 + gs[i] * (float) (1 - beta1);
            vs[i] = vs[i] * (float) beta2 + gs[i] * gs[i] * (float) (1 - beta2);
            gs[i] = ms[i] / ((float) Math.sqrt(vs[i]) / (float) correction + 1e-8f) * (float) stepSize;
        }
        assertArrayEquals(ms, m.toFloatVector());
        assertArrayEquals(vs, v.toFloatVector());
        assertArrayEquals(gs, g.toFloatVector());
        assertEquals(7.0, count.minNumber().doubleValue());
        assertEquals(7.0, count.maxNumber().doubleValue());
    }
}
