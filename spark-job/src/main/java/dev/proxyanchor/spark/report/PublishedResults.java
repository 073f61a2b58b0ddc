package dev.proxyanchor.spark.report;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Recall@K (in %) published for Proxy-Anchor, by dataset, backbone and embedding size, for the report to set a run
 * beside. Only figures checked against their source are listed; a missing K is a figure not checked, not a zero.
 *
 * <ul>
 *   <li>The paper: Kim et al., "Proxy Anchor Loss for Deep Metric Learning", CVPR 2020, Tables 1-3, rows
 *       Proxy-Anchor<sup>512</sup> (Inception-BN, 224 x 224 input). Only the first three K of each dataset are
 *       listed: those could be checked here against a second copy of the table; the rest could not.</li>
 *   <li>The official repository's README (tjddus9597/Proxy-Anchor-CVPR2020, commit 11918bc), trained with its
 *       commands ("a sufficiently large batch size and good parameters resulted in better overall performance than
 *       that described in the paper").</li>
 * </ul>
 */
final class PublishedResults {

    /** One published row. */
    record Figure(String source, String url, String dataset, String model, int embeddingSize,
                  Map<Integer, Double> recallPercent) {
    }

    private static final String PAPER = "Kim et al., CVPR 2020 (paper)";
    private static final String PAPER_URL = "https://arxiv.org/abs/2003.13911";
    private static final String README = "official README";
    private static final String README_URL = "https://github.com/tjddus9597/Proxy-Anchor-CVPR2020";

    static final List<Figure> ALL = List.of(
            new Figure(PAPER, PAPER_URL, "cub", "bn_inception", 512, Map.of(1, 68.4, 2, 79.2, 4, 86.8)),
            new Figure(PAPER, PAPER_URL, "cars", "bn_inception", 512, Map.of(1, 86.1, 2, 91.7, 4, 95.0)),
            new Figure(PAPER, PAPER_URL, "sop", "bn_inception", 512, Map.of(1, 79.1, 10, 90.8, 100, 96.2)),
            new Figure(PAPER, PAPER_URL, "inshop", "bn_inception", 512, Map.of(1, 91.5, 10, 98.1, 20, 98.8)),
            new Figure(README, README_URL, "cub", "bn_inception", 512, Map.of(1, 69.1, 2, 78.9, 4, 86.1, 8, 91.2)),
            new Figure(README, README_URL, "cub", "resnet50", 512, Map.of(1, 69.9, 2, 79.6, 4, 86.6, 8, 91.4)),
            new Figure(README, README_URL, "cars", "bn_inception", 512, Map.of(1, 86.4, 2, 91.9, 4, 95.0, 8, 97.0)),
            new Figure(README, README_URL, "cars", "resnet50", 512, Map.of(1, 87.7, 2, 92.7, 4, 95.5, 8, 97.3)),
            new Figure(README, README_URL, "sop", "bn_inception", 512,
                    Map.of(1, 79.2, 10, 90.7, 100, 96.2, 1000, 98.6)),
            new Figure(README, README_URL, "inshop", "bn_inception", 512,
                    Map.of(1, 91.9, 10, 98.1, 20, 98.7, 30, 99.0, 40, 99.1)));

    private PublishedResults() {
    }

    /** The figures for this dataset (any case), backbone and embedding size; empty when none was published. */
    static List<Figure> matching(String dataset, String model, int embeddingSize) {
        String name = dataset == null ? "" : dataset.toLowerCase(Locale.ROOT);
        return ALL.stream().filter(f -> f.dataset().equals(name) && f.model().equals(model)
                && f.embeddingSize() == embeddingSize).toList();
    }
}
