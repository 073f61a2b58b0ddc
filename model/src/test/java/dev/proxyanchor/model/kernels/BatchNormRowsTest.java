package dev.proxyanchor.model.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The SIMD rows ({@link BatchNormVectorRows}) against the scalar ones on rows of every length class (shorter than
 * the lanes, lane multiples, ragged tails, a 112 x 112 map): the same transformed rows, sums equal up to summation
 * order. The tests run with the Vector API, as the job does.
 */
class BatchNormRowsTest {

    @Test
    void testsRunVectorized() {
        assertTrue(BatchNormRows.VECTORIZED, "surefire passes --add-modules=jdk.incubator.vector");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 15, 16, 17, 100, 784, 12544})
    void vectorAndScalarRowsAgree(int length) {
        Random random = new Random(length);
        float[] row = new float[length];
        float[] g = new float[length];
        for (int i = 0; i < length; i++) {
            row[i] = (float) (random.nextGaussian() * 2 + 3);
            g[i] = (float) random.nextGaussian();
        }
        double[] scalar = new double[2];
        double[] vector = new double[2];
        BatchNormRows.scalarSums(row, 2.5f, scalar);
        BatchNormVectorRows.sums(row, 2.5f, vector);
        assertClose(scalar, vector, "sums");

        for (boolean relu : new boolean[] {false, true}) {
            float[] xScalar = row.clone();
            float[] gScalar = g.clone();
            float[] xVector = row.clone();
            float[] gVector = g.clone();
            scalar = new double[2];
            vector = new double[2];
            BatchNormRows.scalarGradientSums(xScalar, gScalar, 3f, 0.5f, 1.3f, -0.2f, relu, scalar);
            BatchNormVectorRows.gradientSums(xVector, gVector, 3f, 0.5f, 1.3f, -0.2f, relu, vector);
            assertArrayEquals(xScalar, xVector, 1e-6f, "xHat");
            assertArrayEquals(gScalar, gVector, 0f, "gradient behind the ReLU");
            assertClose(scalar, vector, "gradient sums, relu " + relu);

            float[] dxScalar = g.clone();
            float[] dxVector = g.clone();
            BatchNormRows.scalarInputGradient(row, dxScalar, 3f, 0.5f, 1.3f, -0.2f, relu, 0.7f, 0.1f, -0.4f);
            BatchNormVectorRows.inputGradient(row, dxVector, 3f, 0.5f, 1.3f, -0.2f, relu, 0.7f, 0.1f, -0.4f);
            assertArrayEquals(dxScalar, dxVector, 1e-6f, "input gradient, relu " + relu);
        }
    }

    @Test
    void reluPassesTheGradientOnlyWherePreActivationIsPositive() {
        assertEquals(2f, BatchNormRows.throughRelu(2f, 1e-30f));
        assertEquals(0f, BatchNormRows.throughRelu(2f, 0f));
        assertEquals(0f, BatchNormRows.throughRelu(2f, -0f));
        assertEquals(0f, BatchNormRows.throughRelu(2f, -3f));
    }

    private static void assertClose(double[] expected, double[] actual, String what) {
        for (int i = 0; i < expected.length; i++) {
            double tolerance = 1e-5 * Math.max(1, Math.abs(expected[i]));
            assertEquals(expected[i], actual[i], tolerance, what + "[" + i + "]");
        }
    }
}
