package dev.proxyanchor.model.kernels;

import dev.proxyanchor.model.runtime.ContiguousFloats;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Rows of a contiguous float32 matrix divided by their L2 norms (either {@link UnitNorm}), and the backward pass
 * through that division, each as one sweep on the heap: the proxy layer's normalisations were about a dozen small
 * ND4J operations each way, whose fixed cost exceeded the arithmetic on the small CNN's head.
 */
public final class UnitRows {

    /** The unit rows (a new array) and the norms they were divided by. */
    public final INDArray unit;
    public final double[] norms;
    /** Per row: whether the norm depends on it ({@link UnitNorm#hasGradient}). */
    private final boolean[] projected;

    private UnitRows(INDArray unit, double[] norms, boolean[] projected) {
        this.unit = unit;
        this.norms = norms;
        this.projected = projected;
    }

    public static boolean accepts(INDArray... rows) {
        return ContiguousFloats.all(rows);
    }

    public static UnitRows of(INDArray rows, UnitNorm form) {
        int n = (int) rows.size(0);
        int d = (int) rows.size(1);
        INDArray unit = rows.ulike();
        FloatBuffer in = ContiguousFloats.of(rows);
        FloatBuffer out = ContiguousFloats.of(unit);
        double[] norms = new double[n];
        boolean[] projected = new boolean[n];
        float[] row = new float[d];
        for (int r = 0; r < n; r++) {
            in.get(r * d, row);
            double squares = 0;
            for (float v : row) {
                squares += (double) v * v;
            }
            norms[r] = form.norm(squares);
            projected[r] = form.hasGradient(squares);
            float inverse = (float) (1 / norms[r]);
            for (int i = 0; i < d; i++) {
                row[i] *= inverse;
            }
            out.put(r * d, row);
        }
        return new UnitRows(unit, norms, projected);
    }

    /**
     * Writes dL/drows = (dUnit - unit * rowsum(unit .* dUnit)) / norm into {@code out} (contiguous float32), or
     * dUnit / norm where the norm is a constant (a clamped short row); {@code dUnit} may be in either order (ND4J's matrix products return column-major results).
     */
    public void backprop(INDArray dUnit, INDArray out) {
        int n = (int) unit.size(0);
        int d = (int) unit.size(1);
        FloatBuffer u = ContiguousFloats.of(unit);
        FloatBuffer g = ContiguousFloats.of(ContiguousFloats.all(dUnit) ? dUnit : dUnit.dup('c'));
        FloatBuffer o = ContiguousFloats.of(out);
        float[] unitRow = new float[d];
        float[] gradRow = new float[d];
        for (int r = 0; r < n; r++) {
            u.get(r * d, unitRow);
            g.get(r * d, gradRow);
            double along = 0;
            if (projected[r]) {
                for (int i = 0; i < d; i++) {
                    along += (double) unitRow[i] * gradRow[i];
                }
            }
            float a = (float) along;
            float inverse = (float) (1 / norms[r]);
            for (int i = 0; i < d; i++) {
                gradRow[i] = (gradRow[i] - unitRow[i] * a) * inverse;
            }
            o.put(r * d, gradRow);
        }
    }
}
