package dev.proxyanchor.model.recipe;

/**
 * The official code's optimizer parameter groups: everything but the head (backbone), the embedding layer, and the
 * proxies, each with its own learning rate.
 */
public enum ParameterGroup {
    BACKBONE, EMBEDDING, PROXIES
}
