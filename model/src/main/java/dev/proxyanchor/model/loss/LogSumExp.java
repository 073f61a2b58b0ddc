package dev.proxyanchor.model.loss;

/**
 * {@code log(sum_k exp(t_k))} over the kept terms of a row, optionally with an implicit zero term
 * ({@code log(1 + sum exp)}, pytorch-metric-learning's {@code logsumexp(..., add_one=True)}), evaluated around the
 * largest kept term so that no exponential overflows, and its gradient: the softmax weight of each kept term.
 */
final class LogSumExp {

    private LogSumExp() {
    }

    /**
     * @param terms   the row's terms, {@code terms[from .. from + length)}
     * @param keep    which of them count ({@code keep[k]} for term {@code from + k}); null keeps all
     * @param addOne  whether an implicit {@code exp(0) = 1} joins the sum
     * @param weights receives, for each kept term, {@code exp(t_k - value)} = d value / d t_k (0 elsewhere), in
     *                {@code weights[from .. from + length)}
     * @return the value; {@code -Infinity} when nothing is kept and {@code addOne} is false, 0 when only the one is
     */
    static double of(double[] terms, int from, int length, boolean[] keep, boolean addOne, double[] weights) {
        double max = addOne ? 0 : Double.NEGATIVE_INFINITY;
        for (int k = 0; k < length; k++) {
            if (keep == null || keep[k]) {
                max = Math.max(max, terms[from + k]);
            }
        }
        if (max == Double.NEGATIVE_INFINITY) {
            for (int k = 0; k < length; k++) {
                weights[from + k] = 0;
            }
            return max;
        }
        double sum = addOne ? Math.exp(-max) : 0;
        for (int k = 0; k < length; k++) {
            if (keep == null || keep[k]) {
                double e = Math.exp(terms[from + k] - max);
                weights[from + k] = e;
                sum += e;
            } else {
                weights[from + k] = 0;
            }
        }
        for (int k = 0; k < length; k++) {
            weights[from + k] /= sum;
        }
        return max + Math.log(sum);
    }
}
