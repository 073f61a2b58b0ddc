package dev.proxyanchor.datasets;

import java.io.Serializable;
import java.util.Objects;

/**
 * One image of a dataset: metadata only, never pixels, so that listings are cheap to ship to executors.
 *
 * @param uri a Hadoop URI of the image file; for images stored inside an idx file (Fashion-MNIST), the idx file's URI
 *     with the image index as fragment, e.g.
 *     {@code file:/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz#1234}
 * @param label the class label (training labels are 0..classes-1; evaluation labels keep the dataset's own numbering)
 * @param role what the sample is used for
 */
public record Sample(String uri, int label, Role role) implements Serializable {

    public Sample {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(role, "role");
    }
}
