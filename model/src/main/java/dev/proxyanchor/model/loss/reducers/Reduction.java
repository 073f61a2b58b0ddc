package dev.proxyanchor.model.loss.reducers;

/**
 * A batch's loss made from per-element losses, and the gradient of that loss with respect to each element.
 *
 * @param value   the reduced loss
 * @param weights {@code d value / d losses[k]} for each element
 */
public record Reduction(double value, double[] weights) {
}
