package dev.proxyanchor.model.optim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
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
            assertTrue(AdamSweep.accepts(actual.reshape(n), single.getState().get("M"), single.getState().get("V")));
            dbl.applyUpdater(expected, step, 0);
            single.applyUpdater(actual, step, 0);
            double scale = expected.amaxNumber().doubleValue();
            double diff = expected.sub(actual.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
            assertTrue(diff <= 1e-5 * scale, "step " + step + ": update differs by " + diff + " (largest " + scale + ")");
        }
    }
}
