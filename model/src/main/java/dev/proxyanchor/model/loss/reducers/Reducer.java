package dev.proxyanchor.model.loss.reducers;

/**
 * How a loss turns its per-element losses (one per pair, triplet or anchor) into the batch's loss, as
 * pytorch-metric-learning's {@code reducers/}: {@link #mean()}, {@link #meanOverNonZero()} ({@code AvgNonZeroReducer})
 * and {@link #dividedBy} ({@code DivisorReducer}).
 */
@FunctionalInterface
public interface Reducer {

    Reduction reduce(double[] losses);

    /** The plain mean (0 for no elements). */
    static Reducer mean() {
        return losses -> dividedBy(losses.length).reduce(losses);
    }

    /** The mean over the elements whose loss is strictly positive; 0 when none is. */
    static Reducer meanOverNonZero() {
        return losses -> {
            int positive = 0;
            for (double l : losses) {
                if (l > 0) {
                    positive++;
                }
            }
            double[] weights = new double[losses.length];
            double sum = 0;
            for (int k = 0; k < losses.length; k++) {
                if (losses[k] > 0) {
                    sum += losses[k];
                    weights[k] = 1.0 / positive;
                }
            }
            return new Reduction(positive == 0 ? 0 : sum / positive, weights);
        };
    }

    /** The sum divided by a fixed divisor (for example the batch size, whatever the number of elements). */
    static Reducer dividedBy(double divisor) {
        return losses -> {
            double[] weights = new double[losses.length];
            double sum = 0;
            for (int k = 0; k < losses.length; k++) {
                sum += losses[k];
                weights[k] = 1.0 / divisor;
            }
            return new Reduction(losses.length == 0 ? 0 : sum / divisor, weights);
        };
    }
}
