package dev.proxyanchor.spark.metrics;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one evaluation measured. {@link #toJson()} is the object {@code evaluate --output} writes; the training
 * job appends it to its metrics file, and reading either back gives the same object.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({"queries", "gallery", "dim", "mode", "recall", "map_at_r", "r_precision", "nmi",
        "queries_without_match", "clamped_k", "seconds"})
public final class RetrievalMetrics implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final long queries;
    private final long gallery;
    private final int dim;
    private final String mode;
    private final Map<Integer, Double> recall;
    private final double mapAtR;
    private final double rPrecision;
    private final Double nmi;
    private final long queriesWithoutMatch;
    private final Map<Integer, Integer> clampedK;
    private final double seconds;

    RetrievalMetrics(long queries, long gallery, int dim, boolean selfRetrieval, Map<Integer, Double> recall,
            double mapAtR, double rPrecision, Double nmi, long queriesWithoutMatch, Map<Integer, Integer> clampedK,
            double seconds) {
        this.queries = queries;
        this.gallery = gallery;
        this.dim = dim;
        this.mode = selfRetrieval ? "self" : "query-gallery";
        this.recall = Collections.unmodifiableMap(new LinkedHashMap<>(recall));
        this.mapAtR = mapAtR;
        this.rPrecision = rPrecision;
        this.nmi = nmi;
        this.queriesWithoutMatch = queriesWithoutMatch;
        this.clampedK = Collections.unmodifiableMap(new LinkedHashMap<>(clampedK));
        this.seconds = seconds;
    }

    @JsonCreator
    static RetrievalMetrics fromJson(@JsonProperty("queries") long queries, @JsonProperty("gallery") long gallery,
            @JsonProperty("dim") int dim, @JsonProperty("mode") String mode,
            @JsonProperty("recall") Map<Integer, Double> recall, @JsonProperty("map_at_r") double mapAtR,
            @JsonProperty("r_precision") double rPrecision, @JsonProperty("nmi") Double nmi,
            @JsonProperty("queries_without_match") long queriesWithoutMatch,
            @JsonProperty("clamped_k") Map<Integer, Integer> clampedK, @JsonProperty("seconds") double seconds) {
        return new RetrievalMetrics(queries, gallery, dim, !"query-gallery".equals(mode),
                recall == null ? Map.of() : recall, mapAtR, rPrecision, nmi, queriesWithoutMatch,
                clampedK == null ? Map.of() : clampedK, seconds);
    }

    @JsonProperty("queries")
    public long queries() {
        return queries;
    }

    @JsonProperty("gallery")
    public long gallery() {
        return gallery;
    }

    @JsonProperty("dim")
    public int dim() {
        return dim;
    }

    /** {@code self} (every query searches all other items) or {@code query-gallery}. */
    @JsonProperty("mode")
    public String mode() {
        return mode;
    }

    /** Recall@K by K, in the order the K were asked for. */
    @JsonProperty("recall")
    public Map<Integer, Double> recall() {
        return recall;
    }

    @JsonProperty("map_at_r")
    public double mapAtR() {
        return mapAtR;
    }

    @JsonProperty("r_precision")
    public double rPrecision() {
        return rPrecision;
    }

    /** Null unless NMI was asked for. */
    @JsonProperty("nmi")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public Double nmi() {
        return nmi;
    }

    /** Queries with no other item of their class in the gallery (R = 0): left out of MAP@R and R-Precision. */
    @JsonProperty("queries_without_match")
    public long queriesWithoutMatch() {
        return queriesWithoutMatch;
    }

    /** Each asked-for K larger than the searchable gallery, with the K actually used. */
    @JsonProperty("clamped_k")
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public Map<Integer, Integer> clampedK() {
        return clampedK;
    }

    @JsonProperty("seconds")
    public double seconds() {
        return seconds;
    }

    public RetrievalMetrics withSeconds(double newSeconds) {
        return new RetrievalMetrics(queries, gallery, dim, "self".equals(mode), recall, mapAtR, rPrecision, nmi,
                queriesWithoutMatch, clampedK, newSeconds);
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A few aligned lines for people. */
    public String toTable() {
        StringBuilder out = new StringBuilder();
        out.append(String.format("%-22s %d%n", "queries", queries));
        out.append(String.format("%-22s %d%n", "gallery", gallery));
        out.append(String.format("%-22s %d%n", "dim", dim));
        out.append(String.format("%-22s %s%n", "mode", mode));
        recall.forEach((k, v) -> out.append(String.format("%-22s %.4f%n", "recall@" + k, v)));
        out.append(String.format("%-22s %.4f%n", "MAP@R", mapAtR));
        out.append(String.format("%-22s %.4f%n", "R-Precision", rPrecision));
        if (nmi != null) {
            out.append(String.format("%-22s %.4f%n", "NMI", nmi));
        }
        out.append(String.format("%-22s %d%n", "queries without match", queriesWithoutMatch));
        clampedK.forEach((asked, used) -> out.append(String.format("%-22s %d (gallery too small)%n",
                "K " + asked + " clamped to", used)));
        out.append(String.format("%-22s %.1f%n", "seconds", seconds));
        return out.toString();
    }
}
