package dev.proxyanchor.datasets;

import java.io.Serializable;

/**
 * One image of a dataset: where it is (a Hadoop URI; for Fashion-MNIST the idx file with the image index as
 * fragment), its label, and its role. Metadata only, never pixels.
 */
public record Sample(String uri, int label, Role role) implements Serializable {
}
