package dev.proxyanchor.model.loss;

import dev.proxyanchor.model.recipe.Recipe;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * One {@code --loss} choice: how to build it from the recipe and what it needs from the network and the batches.
 *
 * @param name      the official {@code --loss} name
 * @param factory   the loss, from the recipe (its hyper-parameters)
 * @param proxies   the proxies head it consumes, or null when it consumes the embeddings themselves
 * @param pairBased whether it compares the images of a batch with each other (pairs, triplets), so that a worker
 *                  batch needs at least two images of a class: such a loss refuses {@code --IPC 1}
 * @param flags     the recipe flags it reads besides the shared ones (the official code passes {@code --alpha} and
 *                  {@code --mrg} to Proxy_Anchor only)
 */
public record LossEntry(String name, Function<Recipe, MetricLoss<?>> factory, ProxyHead proxies, boolean pairBased,
                        List<String> flags) {

    public MetricLoss<?> create(Recipe recipe) {
        return factory.apply(recipe);
    }

    public Optional<ProxyHead> proxyHead() {
        return Optional.ofNullable(proxies);
    }
}
