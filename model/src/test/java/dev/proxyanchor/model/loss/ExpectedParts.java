package dev.proxyanchor.model.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The parts a reference case reports besides the loss and gradients (mined tuples, counts, partial losses), checked
 * against what each loss's value reports, by the value's type.
 */
final class ExpectedParts {

    private static final Map<Class<?>, BiConsumer<OtherLossCase, MetricLoss.Value>> CHECKS = Map.of(
            ProxyNcaLoss.Result.class, (c, v) -> proxyNca(c, (ProxyNcaLoss.Result) v));

    private ExpectedParts() {
    }

    static void check(OtherLossCase c, MetricLoss.Value value) {
        BiConsumer<OtherLossCase, MetricLoss.Value> check = CHECKS.get(value.getClass());
        if (check == null) {
            throw new AssertionError(c + ": no expectations for " + value.getClass().getName());
        }
        check.accept(c, value);
    }

    private static void proxyNca(OtherLossCase c, ProxyNcaLoss.Result r) {
        assertEquals(c.part("rows_used").size(), r.rowsUsed(), c + ": rows used");
    }
}
