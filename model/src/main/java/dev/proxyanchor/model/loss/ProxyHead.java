package dev.proxyanchor.model.loss;

import dev.proxyanchor.model.layers.ProxyLayer;
import dev.proxyanchor.model.recipe.Recipe;
import java.util.function.IntToDoubleFunction;
import java.util.function.ToDoubleFunction;
import org.deeplearning4j.nn.conf.distribution.NormalDistribution;

/**
 * The trainable proxies a loss needs (one per training class, in a {@link ProxyLayer} between the embedding and the
 * loss), as the official code sets them up: what the layer outputs, their initialisation N(0, std(C)^2), their
 * learning rate as a multiple of {@code --lr}, and whether their gradients are clipped with the network's.
 *
 * @param output            what the layer hands the loss (cosines, squared distances)
 * @param initialStd        the standard deviation of the initial proxies, given the number of classes C
 * @param learningRateScale the proxies' learning rate over {@code --lr}
 * @param clipped           whether {@code clip_grad_value_} reaches the proxies
 */
public record ProxyHead(ProxyLayer.Output output, IntToDoubleFunction initialStd,
                        ToDoubleFunction<Recipe> learningRateScale, boolean clipped) {

    /** The proxy layer for D-dimensional embeddings and C classes. */
    public ProxyLayer layer(int embeddingSize, int numClasses) {
        return new ProxyLayer.Builder().nIn(embeddingSize).nOut(numClasses).output(output)
                .weightInit(new NormalDistribution(0.0, initialStd.applyAsDouble(numClasses)))
                .build();
    }
}
