package dev.proxyanchor.model.loss.distances;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A float64 matrix on the heap, {@code count} rows of {@code width} values, row-major: what the losses compute on
 * (batches of a few hundred rows, where ND4J's per-operation cost would exceed the arithmetic).
 */
public record Rows(double[] values, int count, int width) {

    public Rows {
        if (values.length != (long) count * width) {
            throw new IllegalArgumentException(count + " x " + width + " rows need " + (long) count * width
                    + " values, got " + values.length);
        }
    }

    public static Rows of(INDArray matrix) {
        return new Rows(matrix.castTo(DataType.DOUBLE).dup('c').data().asDouble(), (int) matrix.size(0),
                (int) matrix.size(1));
    }

    public static Rows zeros(int count, int width) {
        return new Rows(new double[count * width], count, width);
    }

    /** The rows {@code indices} of this matrix, in that order. */
    public Rows select(int[] indices) {
        double[] out = new double[indices.length * width];
        for (int k = 0; k < indices.length; k++) {
            System.arraycopy(values, indices[k] * width, out, k * width, width);
        }
        return new Rows(out, indices.length, width);
    }

    /** Adds row k of {@code rows} to row {@code indices[k]} of this matrix (the backward pass of {@link #select}). */
    public void scatterAdd(int[] indices, Rows rows) {
        for (int k = 0; k < indices.length; k++) {
            int to = indices[k] * width;
            int from = k * width;
            for (int c = 0; c < width; c++) {
                values[to + c] += rows.values[from + c];
            }
        }
    }

    public double get(int row, int col) {
        return values[row * width + col];
    }

    /** Row i of this matrix dotted with row j of {@code other}. */
    public double dot(int i, Rows other, int j) {
        double sum = 0;
        int a = i * width;
        int b = j * other.width;
        for (int c = 0; c < width; c++) {
            sum += values[a + c] * other.values[b + c];
        }
        return sum;
    }

    public double squaredNorm(int i) {
        return dot(i, this, i);
    }

    public INDArray toMatrix() {
        return Nd4j.create(values, new long[] {count, width}, DataType.DOUBLE);
    }
}
