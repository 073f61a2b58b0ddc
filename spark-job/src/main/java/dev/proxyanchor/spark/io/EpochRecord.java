package dev.proxyanchor.spark.io;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.proxyanchor.model.UserInputException;
import dev.proxyanchor.spark.metrics.RetrievalMetrics;
import java.io.UncheckedIOException;
import java.lang.reflect.RecordComponent;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One epoch of a training run as {@code train} measured it: one line of the run's {@code metrics.jsonl}. This record
 * is the file's schema; its JSON names are the keys below, and {@link RunDirectory#readEpochs()} reads a run's lines
 * back into it. A key this version does not know is ignored, and a key an older run lacks reads as {@code null}, so
 * old runs stay readable and newer runs stay readable by older readers.
 *
 * <p>To record something new about an epoch, add a component here with its JSON name (nullable, so that old lines
 * still read), a setter to {@link Builder}, and set it in the epoch loop ({@code SparkTrainer}); the metrics file,
 * the reader and {@code report} need nothing else.
 *
 * @param epoch        the epoch, 0-based ({@code epoch}); the console counts from 1
 * @param loss         mean training loss over every worker step of the epoch ({@code loss})
 * @param lr           the learning rate of each parameter group during the epoch ({@code lr})
 * @param imagesPerSec training images per second across the cluster, decoding included ({@code images_per_sec})
 * @param trainSeconds wall time of the epoch's training, without its evaluation ({@code train_seconds})
 * @param eval         the evaluation set's metrics ({@code eval}), absent in epochs that were not evaluated
 * @param evalSeen     Fashion-MNIST's seen-class evaluation ({@code eval_seen}), with {@code --eval-seen}
 * @param val          the validation set's metrics ({@code val}): the training images of the classes held out with
 *                     {@code --val-classes}; when present, its Recall@1 chooses {@code best/}
 * @param evalSeconds  wall time of the epoch's evaluation, embedding included ({@code eval_seconds})
 * @param batchesWithoutPositivePair worker batches of the epoch without two images of one class
 *                     ({@code batches_without_positive_pair}), for a pair-based loss only: MS, Triplet and NPair
 *                     have loss 0 on such a batch, Contrastive only its negative term
 * @param inputCapacityImagesPerSec images per second the executors' decode pools could turn out
 *                     ({@code input_capacity_images_per_sec}): their measured time per image spread over every pool
 *                     thread; compare with {@code images_per_sec}, what training consumed
 * @param badImages    unreadable training images skipped ({@code bad_images}, {@code --skip-bad-images}; listed in
 *                     {@code bad_images.txt})
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record EpochRecord(
        @JsonProperty("epoch") int epoch,
        @JsonProperty("loss") double loss,
        @JsonProperty("lr") LearningRates lr,
        @JsonProperty("images_per_sec") double imagesPerSec,
        @JsonProperty("train_seconds") double trainSeconds,
        @JsonProperty("eval") RetrievalMetrics eval,
        @JsonProperty("eval_seen") RetrievalMetrics evalSeen,
        @JsonProperty("val") RetrievalMetrics val,
        @JsonProperty("eval_seconds") Double evalSeconds,
        @JsonProperty("batches_without_positive_pair") Integer batchesWithoutPositivePair,
        @JsonProperty("input_capacity_images_per_sec") Double inputCapacityImagesPerSec,
        @JsonProperty("bad_images") Integer badImages) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The learning rate of each parameter group ({@code backbone}, {@code embedding}, {@code proxies}); a loss
     * without proxies has no {@code proxies} (the outer record's {@code NON_NULL} does not reach nested records).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record LearningRates(@JsonProperty("backbone") double backbone,
                                @JsonProperty("embedding") double embedding,
                                @JsonProperty("proxies") Double proxies) {
    }

    /**
     * The Recall@1 that chooses the {@code best/} checkpoint: the validation set's when the run has one (choosing on
     * the test set is what "A Metric Learning Reality Check" warns against), else the evaluation set's; NaN in an
     * epoch without evaluation.
     */
    @JsonIgnore
    public double selectionRecallAt1() {
        RetrievalMetrics chooser = val != null ? val : eval;
        return chooser == null ? Double.NaN : chooser.recall().getOrDefault(1, Double.NaN);
    }

    /** The JSON name of the set whose Recall@1 chooses {@code best/}: {@code val} or {@code eval}. */
    @JsonIgnore
    public String selectionSet() {
        return val != null ? "val" : "eval";
    }

    @JsonIgnore
    public boolean evaluated() {
        return eval != null;
    }

    /**
     * The epoch's evaluation sets that were measured, by JSON name ({@code eval}, {@code eval_seen}, ...), in
     * the record's order. Found from the components themselves, so that a new set is one new component.
     */
    @JsonIgnore
    public Map<String, RetrievalMetrics> evaluations() {
        Map<String, RetrievalMetrics> sets = new LinkedHashMap<>();
        for (RecordComponent component : EpochRecord.class.getRecordComponents()) {
            if (component.getType() == RetrievalMetrics.class) {
                try {
                    Object metrics = component.getAccessor().invoke(this);
                    if (metrics != null) {
                        sets.put(component.getAccessor().getAnnotation(JsonProperty.class).value(),
                                (RetrievalMetrics) metrics);
                    }
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException("reading component " + component.getName(), e);
                }
            }
        }
        return sets;
    }

    /** The line written to {@code metrics.jsonl}. */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @param where the file and line, for the error message */
    public static EpochRecord fromJson(String line, String where) {
        try {
            return JSON.readValue(line, EpochRecord.class);
        } catch (JsonProcessingException e) {
            throw new UserInputException(where + " is not an epoch record of metrics.jsonl: "
                    + e.getOriginalMessage());
        }
    }

    public static Builder builder(int epoch) {
        return new Builder(epoch);
    }

    /** Collects an epoch's measurements as the epoch loop makes them. */
    public static final class Builder {
        private final int epoch;
        private double loss = Double.NaN;
        private LearningRates lr;
        private double imagesPerSec = Double.NaN;
        private double trainSeconds = Double.NaN;
        private RetrievalMetrics eval;
        private RetrievalMetrics evalSeen;
        private RetrievalMetrics val;
        private Double evalSeconds;
        private Integer batchesWithoutPositivePair;
        private Double inputCapacityImagesPerSec;
        private Integer badImages;

        private Builder(int epoch) {
            this.epoch = epoch;
        }

        public Builder loss(double value) {
            this.loss = value;
            return this;
        }

        public Builder lr(LearningRates value) {
            this.lr = value;
            return this;
        }

        /** Images trained in the epoch and the seconds it took: sets both the rate and the time. */
        public Builder training(long images, double seconds) {
            this.imagesPerSec = images / seconds;
            this.trainSeconds = seconds;
            return this;
        }

        public Builder eval(RetrievalMetrics value) {
            this.eval = value;
            return this;
        }

        public Builder evalSeen(RetrievalMetrics value) {
            this.evalSeen = value;
            return this;
        }

        public Builder val(RetrievalMetrics value) {
            this.val = value;
            return this;
        }

        public Builder evalSeconds(double value) {
            this.evalSeconds = value;
            return this;
        }

        public Builder batchesWithoutPositivePair(int value) {
            this.batchesWithoutPositivePair = value;
            return this;
        }

        /** Images per second the decode pools could turn out; left out when nothing was decoded (NaN). */
        public Builder inputCapacity(double imagesPerSec) {
            this.inputCapacityImagesPerSec = Double.isFinite(imagesPerSec) ? imagesPerSec : null;
            return this;
        }

        public Builder badImages(int value) {
            this.badImages = value;
            return this;
        }

        public EpochRecord build() {
            return new EpochRecord(epoch, loss, lr, imagesPerSec, trainSeconds, eval, evalSeen, val, evalSeconds,
                    batchesWithoutPositivePair, inputCapacityImagesPerSec, badImages);
        }
    }
}
