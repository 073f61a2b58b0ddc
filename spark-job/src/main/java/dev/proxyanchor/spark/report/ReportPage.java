package dev.proxyanchor.spark.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.proxyanchor.spark.io.EpochRecord;
import dev.proxyanchor.spark.metrics.RetrievalMetrics;
import dev.proxyanchor.spark.runtime.BuildInfo;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeSet;

/**
 * The report as one self-contained HTML page: inline CSS, charts as inline SVG, thumbnails as data URIs; nothing is
 * fetched when it opens. The markup is well-formed XML too, so that tests can parse it with the JDK's parser.
 */
final class ReportPage {

    /**
     * What the page shows: the run's files, and the gallery when embeddings were given.
     *
     * @param run the run directory as the user named it ({@code --run}), not resolved: the name they know it by
     */
    record Contents(String run, JsonNode config, List<EpochRecord> epochs, Optional<Gallery> gallery) {
    }

    private static final String STYLE = """
            body { font-family: system-ui, sans-serif; margin: 24px; color: #222; max-width: 1320px; }
            h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 18px; margin-top: 32px; }
            .summary { color: #444; margin: 2px 0; } .generated { color: #777; font-size: 12px; }
            .charts { display: flex; flex-wrap: wrap; gap: 12px; }
            svg.chart { border: 1px solid #ddd; background: #fff; }
            svg .title { font-size: 14px; font-weight: 600; } svg .tick { font-size: 11px; fill: #555; }
            svg .label { font-size: 12px; fill: #333; } svg .legend { font-size: 12px; }
            svg .grid { stroke: #eee; } svg .axis { stroke: #888; }
            svg .best { stroke: #c00; stroke-dasharray: 5 4; stroke-width: 1.5; } svg .best-label { font-size: 11px; fill: #c00; }
            table { border-collapse: collapse; margin: 8px 0; font-size: 13px; }
            th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: right; }
            th { background: #f4f4f4; } td.key, th.key { text-align: left; }
            .none { color: #777; font-style: italic; }
            .query-row { display: flex; align-items: flex-start; gap: 6px; margin: 6px 0; }
            figure { margin: 0; text-align: center; font-size: 11px; width: 90px; }
            figure img { display: block; margin: 0 auto; border: 3px solid #bbb; image-rendering: pixelated; }
            figure.query img { border-color: #333; } figure.correct img { border-color: #1a9641; }
            figure.wrong img { border-color: #d7191c; } .arrow { align-self: center; color: #999; font-size: 20px; }
            figcaption { margin-top: 2px; }
            """;

    private ReportPage() {
    }

    static String render(Contents c) {
        JsonNode settings = c.config().path("settings");
        OptionalInt best = RunCurves.bestEpoch(c.epochs());
        StringBuilder page = new StringBuilder();
        page.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>")
                .append("<title>").append(Html.escape("Run report: " + c.run())).append("</title>")
                .append("<style>").append(STYLE).append("</style></head><body>");
        header(page, c, settings, best);
        page.append("<section id=\"curves\"><h2>Curves per epoch</h2><div class=\"charts\">");
        for (LineChart chart : RunCurves.charts(c.epochs())) {
            page.append(chart.toSvg());
        }
        page.append("</div></section>");
        finalMetrics(page, c.epochs(), settings, best);
        c.gallery().ifPresent(g -> gallery(page, g));
        config(page, c.config());
        return page.append("</body></html>\n").toString();
    }

    private static void header(StringBuilder page, Contents c, JsonNode settings, OptionalInt best) {
        page.append("<header><h1>").append(Html.escape(c.run())).append("</h1><p class=\"summary\">")
                .append(Html.escape(String.format(Locale.ROOT, "%s, %s, %d-d embeddings, %d of %d epochs trained",
                        settings.path("dataset").asText("?"), settings.path("model").asText("?"),
                        settings.path("embeddingSize").asInt(), c.epochs().size(), settings.path("epochs").asInt())));
        if (best.isPresent()) {
            EpochRecord b = c.epochs().stream().filter(e -> e.epoch() == best.getAsInt()).findFirst().orElseThrow();
            page.append(Html.escape(String.format(Locale.ROOT, "; best epoch %d (%s R@1 %.4f)", best.getAsInt() + 1,
                    RunCurves.setName(b.selectionSet()), b.selectionRecallAt1())));
        }
        page.append("</p><p class=\"generated\">").append(Html.escape("written by " + BuildInfo.current()
                .toolAndVersion())).append("</p></header>");
    }

    private static void finalMetrics(StringBuilder page, List<EpochRecord> epochs, JsonNode settings,
                                     OptionalInt best) {
        page.append("<section id=\"metrics\"><h2>Final metrics</h2>");
        List<EpochRecord> evaluated = epochs.stream().filter(EpochRecord::evaluated).toList();
        if (evaluated.isEmpty()) {
            page.append("<p class=\"none\">No epoch has been evaluated yet.</p></section>");
            return;
        }
        EpochRecord last = evaluated.get(evaluated.size() - 1);
        EpochRecord bestRecord = epochs.stream().filter(e -> e.epoch() == best.orElse(last.epoch())).findFirst()
                .orElse(last);
        String dataset = settings.path("dataset").asText("");
        String model = settings.path("model").asText("");
        int size = settings.path("embeddingSize").asInt();
        List<PublishedResults.Figure> published = PublishedResults.matching(dataset, model, size);
        for (Map.Entry<String, RetrievalMetrics> set : bestRecord.evaluations().entrySet()) {
            boolean main = set.getKey().equals("eval");
            RetrievalMetrics atBest = set.getValue();
            RetrievalMetrics atLast = last.evaluations().get(set.getKey());
            page.append("<h3>").append(Html.escape(RunCurves.setName(set.getKey()) + " set")).append("</h3>")
                    .append("<table class=\"final\" data-set=\"").append(Html.escape(set.getKey())).append("\">")
                    .append("<tr><th class=\"key\">metric (%)</th><th>best epoch ").append(bestRecord.epoch() + 1)
                    .append("</th><th>last epoch ").append(last.epoch() + 1).append("</th>");
            List<PublishedResults.Figure> columns = main ? published : List.of();
            for (PublishedResults.Figure f : columns) {
                page.append("<th><a href=\"").append(Html.escape(f.url())).append("\">").append(Html.escape(f.source()))
                        .append("</a></th>");
            }
            page.append("</tr>");
            TreeSet<Integer> ks = new TreeSet<>(atBest.recall().keySet());
            columns.forEach(f -> ks.addAll(f.recallPercent().keySet()));
            for (int k : ks) {
                page.append("<tr><td class=\"key\">R@").append(k).append("</td>")
                        .append(cell(atBest.recall().get(k))).append(cell(atLast == null ? null : atLast.recall().get(k)));
                for (PublishedResults.Figure f : columns) {
                    Double v = f.recallPercent().get(k);
                    page.append("<td>").append(v == null ? "" : String.format(Locale.ROOT, "%.1f", v)).append("</td>");
                }
                page.append("</tr>");
            }
            page.append("<tr><td class=\"key\">MAP@R</td>").append(cell(atBest.mapAtR()))
                    .append(cell(atLast == null ? null : atLast.mapAtR())).append("<td></td>".repeat(columns.size()))
                    .append("</tr><tr><td class=\"key\">R-Precision</td>").append(cell(atBest.rPrecision()))
                    .append(cell(atLast == null ? null : atLast.rPrecision())).append("<td></td>".repeat(columns.size()))
                    .append("</tr></table>");
            if (main && published.isEmpty()) {
                page.append("<p class=\"none\">").append(Html.escape("No published figure for " + dataset + " with "
                        + model + " and " + size + "-d embeddings (published: " + publishedSettings() + ")."))
                        .append("</p>");
            }
        }
        page.append("</section>");
    }

    private static String publishedSettings() {
        return String.join(", ", new TreeSet<>(PublishedResults.ALL.stream()
                .map(f -> f.dataset() + " " + f.model() + " " + f.embeddingSize() + "-d").toList()));
    }

    private static String cell(Double fraction) {
        return "<td>" + (fraction == null ? "" : String.format(Locale.ROOT, "%.1f", 100 * fraction)) + "</td>";
    }

    private static void gallery(StringBuilder page, Gallery g) {
        page.append("<section id=\"gallery\"><h2>Retrieval examples</h2><p class=\"summary\">")
                .append(Html.escape(g.queries().size() + " seeded queries from " + g.embeddings() + ", each with its "
                        + "nearest neighbours by cosine similarity: green border = same label, red = another label."))
                .append("</p>");
        for (Gallery.Query q : g.queries()) {
            page.append("<div class=\"query-row\">");
            figure(page, q.item(), "query", "query, label " + q.item().label());
            page.append("<span class=\"arrow\">&#8594;</span>");
            for (Gallery.Neighbour n : q.neighbours()) {
                figure(page, n.item(), n.correct() ? "correct" : "wrong", String.format(Locale.ROOT,
                        "%.3f, label %d", n.similarity(), n.item().label()));
            }
            page.append("</div>");
        }
        page.append("</section>");
    }

    private static void figure(StringBuilder page, Gallery.Item item, String cls, String caption) {
        page.append("<figure class=\"").append(cls).append("\"><img src=\"").append(item.thumbnail())
                .append("\" alt=\"").append(Html.escape(cls + " image, label " + item.label())).append("\" title=\"")
                .append(Html.escape(item.path())).append("\"/><figcaption>").append(Html.escape(caption))
                .append("</figcaption></figure>");
    }

    private static void config(StringBuilder page, JsonNode config) {
        page.append("<section id=\"config\"><h2>Config</h2><table class=\"config\">");
        List<String[]> rows = new ArrayList<>();
        flatten("", config, rows);
        for (String[] row : rows) {
            page.append("<tr><td class=\"key\">").append(Html.escape(row[0])).append("</td><td class=\"key\">")
                    .append(Html.escape(row[1])).append("</td></tr>");
        }
        page.append("</table></section>");
    }

    private static void flatten(String prefix, JsonNode node, List<String[]> rows) {
        if (!node.isObject()) {
            rows.add(new String[] {prefix, node.isTextual() ? node.asText() : node.toString()});
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> field = it.next();
            flatten(prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey(), field.getValue(), rows);
        }
    }
}
