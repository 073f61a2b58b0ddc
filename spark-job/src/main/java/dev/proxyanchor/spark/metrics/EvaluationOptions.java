package dev.proxyanchor.spark.metrics;

import dev.proxyanchor.spark.knn.KnnOptions;
import java.io.Serializable;

/** Optional parts of an evaluation; {@code EvaluationOptions.defaults()} normalises and skips NMI. */
public final class EvaluationOptions implements Serializable {

    private static final long serialVersionUID = 1L;

    private final boolean normalize;
    private final boolean nmi;
    private final long kMeansSeed;
    private final KnnOptions knnLayout;

    private EvaluationOptions(Builder b) {
        this.normalize = b.normalize;
        this.nmi = b.nmi;
        this.kMeansSeed = b.kMeansSeed;
        this.knnLayout = b.knnLayout;
    }

    public static EvaluationOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** L2-normalise embeddings first, so that inner products are cosine similarities. */
    public boolean normalize() {
        return normalize;
    }

    public boolean nmi() {
        return nmi;
    }

    public long kMeansSeed() {
        return kMeansSeed;
    }

    /** Block sizes and partitioning of the kNN pass; its K is replaced by the K the metrics need. */
    public KnnOptions knnLayout() {
        return knnLayout;
    }

    public static final class Builder {
        private boolean normalize = true;
        private boolean nmi;
        private long kMeansSeed = 1;
        private KnnOptions knnLayout = KnnOptions.builder(1).build();

        private Builder() {
        }

        public Builder normalize(boolean value) {
            this.normalize = value;
            return this;
        }

        public Builder nmi(boolean value) {
            this.nmi = value;
            return this;
        }

        public Builder kMeansSeed(long seed) {
            this.kMeansSeed = seed;
            return this;
        }

        public Builder knnLayout(KnnOptions layout) {
            this.knnLayout = layout;
            return this;
        }

        public EvaluationOptions build() {
            return new EvaluationOptions(this);
        }
    }
}
