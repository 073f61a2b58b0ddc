package dev.proxyanchor.model.loss;

import dev.proxyanchor.model.UserInputException;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The class of each row of a batch, read from (and checked against) the B x C one-hot labels DL4J hands a loss.
 *
 * @param classes    the class of row i, in [0, numClasses)
 * @param numClasses C, the number of training classes
 * @param oneHot     the labels as given (B x C)
 */
public record ClassLabels(int[] classes, int numClasses, INDArray oneHot) {

    /** @param loss the official name of the loss, for the message */
    public static ClassLabels fromOneHot(INDArray labels, String loss) {
        int rows = (int) labels.size(0);
        int cols = (int) labels.size(1);
        double[] values = labels.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        int[] classes = new int[rows];
        for (int r = 0; r < rows; r++) {
            classes[r] = hotColumn(values, r * cols, cols);
            if (classes[r] < 0) {
                throw new UserInputException(loss + " labels must be one-hot (one 1 per row, zeros elsewhere);"
                        + " row " + r + " of the batch is "
                        + Arrays.toString(Arrays.copyOfRange(values, r * cols, r * cols + cols))
                        + ". Every label must lie in [0, " + cols + "), the number of training classes");
            }
        }
        return new ClassLabels(classes, cols, labels);
    }

    public int size() {
        return classes.length;
    }

    public int of(int row) {
        return classes[row];
    }

    /** Whether two rows of the batch share a class (a positive pair exists). */
    public boolean hasPositivePair() {
        return hasPositivePair(classes);
    }

    public static boolean hasPositivePair(int[] classes) {
        int[] sorted = classes.clone();
        Arrays.sort(sorted);
        for (int i = 1; i < sorted.length; i++) {
            if (sorted[i] == sorted[i - 1]) {
                return true;
            }
        }
        return false;
    }

    /** The column of the single 1 in a row, or -1 when the row is not one-hot. */
    private static int hotColumn(double[] values, int from, int length) {
        int hot = -1;
        for (int i = 0; i < length; i++) {
            double v = values[from + i];
            if (v == 1.0 && hot < 0) {
                hot = i;
            } else if (v != 0.0) {
                return -1;
            }
        }
        return hot;
    }
}
