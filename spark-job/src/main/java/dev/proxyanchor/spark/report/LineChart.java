package dev.proxyanchor.spark.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A line chart of per-epoch values as inline SVG: one line per series, its points with hover titles, axes with
 * round ticks, a legend, and a dashed line at the best epoch. Text stays text for the browser to render, so the page
 * needs no fonts on the machine that writes it.
 */
final class LineChart {

    /** A named line; NaN values are gaps. */
    record Series(String name, double[] x, double[] y) {
    }

    static final int WIDTH = 600;
    static final int HEIGHT = 300;
    private static final int LEFT = 64;
    private static final int RIGHT = 150;
    private static final int TOP = 34;
    private static final int BOTTOM = 42;
    /** Colour-blind safe (Okabe and Ito). */
    private static final String[] COLOURS = {"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00",
        "#999933", "#000000"};

    private final String title;
    private final String yLabel;
    private final boolean logY;
    private final List<Series> series = new ArrayList<>();
    private double bestEpoch = Double.NaN;

    LineChart(String title, String yLabel, boolean logY) {
        this.title = title;
        this.yLabel = yLabel;
        this.logY = logY;
    }

    /** Adds a line; one without any value to draw (a loss without proxies has no proxies' rate) is left out. */
    LineChart add(Series line) {
        if (!finiteYs(line).isEmpty()) {
            series.add(line);
        }
        return this;
    }

    LineChart markBest(double epoch) {
        bestEpoch = epoch;
        return this;
    }

    boolean isEmpty() {
        return series.isEmpty();
    }

    String toSvg() {
        double[] xr = range(series.stream().flatMapToDouble(s -> Arrays.stream(s.x())).toArray());
        List<Double> ys = new ArrayList<>();
        series.forEach(s -> ys.addAll(finiteYs(s)));
        double[] yr = range(ys.stream().mapToDouble(v -> logY ? Math.log10(v) : v).toArray());
        Axis x = Axis.of(xr[0], xr[1], true);
        Axis y = logY ? Axis.logOf(yr[0], yr[1]) : Axis.of(yr[0], yr[1], false);
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" "
                + "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\">", WIDTH, HEIGHT,
                WIDTH, HEIGHT, Html.escape(title)));
        svg.append(text(LEFT, 20, title, "start", "title"));
        for (double t : x.ticks) {
            double px = px(x, t);
            svg.append(line(px, TOP, px, HEIGHT - BOTTOM, "grid"));
            svg.append(text(px, HEIGHT - BOTTOM + 16, Axis.label(t), "middle", "tick"));
        }
        for (double t : y.ticks) {
            double py = py(y, t);
            svg.append(line(LEFT, py, WIDTH - RIGHT, py, "grid"));
            svg.append(text(LEFT - 6, py + 4, logY ? Axis.label(Math.pow(10, t)) : Axis.label(t), "end", "tick"));
        }
        svg.append(line(LEFT, HEIGHT - BOTTOM, WIDTH - RIGHT, HEIGHT - BOTTOM, "axis"));
        svg.append(line(LEFT, TOP, LEFT, HEIGHT - BOTTOM, "axis"));
        svg.append(text((LEFT + WIDTH - RIGHT) / 2.0, HEIGHT - 8, "epoch", "middle", "label"));
        svg.append(String.format(Locale.ROOT, "<text class=\"label\" text-anchor=\"middle\" "
                + "transform=\"translate(14 %.1f) rotate(-90)\">%s</text>", (TOP + HEIGHT - BOTTOM) / 2.0,
                Html.escape(yLabel)));
        if (Double.isFinite(bestEpoch)) {
            double px = px(x, bestEpoch);
            svg.append(String.format(Locale.ROOT, "<line class=\"best\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\">"
                    + "<title>best epoch %s</title></line>", px, TOP, px, HEIGHT - BOTTOM, Axis.label(bestEpoch)));
            svg.append(text(px + 3, TOP + 10, "best", "start", "best-label"));
        }
        for (int i = 0; i < series.size(); i++) {
            appendSeries(svg, series.get(i), COLOURS[i % COLOURS.length], x, y, i);
        }
        return svg.append("</svg>").toString();
    }

    private void appendSeries(StringBuilder svg, Series s, String colour, Axis x, Axis y, int index) {
        StringBuilder path = new StringBuilder();
        StringBuilder points = new StringBuilder();
        boolean penDown = false;
        for (int i = 0; i < s.x().length; i++) {
            double v = s.y()[i];
            if (!Double.isFinite(v) || (logY && v <= 0)) {
                penDown = false;
                continue;
            }
            double px = px(x, s.x()[i]);
            double py = py(y, logY ? Math.log10(v) : v);
            path.append(String.format(Locale.ROOT, "%s%.1f %.1f ", penDown ? "L" : "M", px, py));
            penDown = true;
            points.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\">"
                    + "<title>%s, epoch %s: %s</title></circle>", px, py, colour, Html.escape(s.name()),
                    Axis.label(s.x()[i]), Axis.value(v)));
        }
        svg.append(String.format(Locale.ROOT, "<g class=\"series\" data-name=\"%s\"><path d=\"%s\" fill=\"none\" "
                + "stroke=\"%s\" stroke-width=\"2\"/>%s</g>", Html.escape(s.name()), path.toString().trim(), colour,
                points));
        double ly = TOP + 8 + index * 18;
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\" "
                + "stroke-width=\"2\"/>", WIDTH - RIGHT + 12, ly, WIDTH - RIGHT + 30, ly, colour));
        svg.append(text(WIDTH - RIGHT + 36, ly + 4, s.name(), "start", "legend"));
    }

    private static double px(Axis x, double v) {
        return LEFT + (v - x.min) / (x.max - x.min) * (WIDTH - LEFT - RIGHT);
    }

    private static double py(Axis y, double v) {
        return HEIGHT - BOTTOM - (v - y.min) / (y.max - y.min) * (HEIGHT - TOP - BOTTOM);
    }

    private static String line(double x1, double y1, double x2, double y2, String cls) {
        return String.format(Locale.ROOT, "<line class=\"%s\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>",
                cls, x1, y1, x2, y2);
    }

    private static String text(double x, double y, String s, String anchor, String cls) {
        return String.format(Locale.ROOT, "<text class=\"%s\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">%s</text>",
                cls, x, y, anchor, Html.escape(s));
    }

    private List<Double> finiteYs(Series s) {
        List<Double> out = new ArrayList<>();
        for (double v : s.y()) {
            if (Double.isFinite(v) && (!logY || v > 0)) {
                out.add(v);
            }
        }
        return out;
    }

    private static double[] range(double[] values) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double v : values) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        if (min > max) {
            return new double[] {0, 1};
        }
        return min == max ? new double[] {min - 0.5, max + 0.5} : new double[] {min, max};
    }

    /** An axis's extent and its round tick values (for a log axis, in log10 units). */
    private record Axis(double min, double max, List<Double> ticks) {

        /** Ticks at 1, 2 or 5 times a power of ten, about five of them; whole numbers only on an epoch axis. */
        static Axis of(double lo, double hi, boolean whole) {
            double raw = (hi - lo) / 5;
            double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
            double step = magnitude * (raw / magnitude >= 5 ? 5 : raw / magnitude >= 2 ? 2 : 1);
            if (whole) {
                step = Math.max(1, Math.round(step));
            }
            double min = whole ? lo : Math.floor(lo / step) * step;
            double max = whole ? hi : Math.ceil(hi / step) * step;
            List<Double> ticks = new ArrayList<>();
            for (double t = Math.ceil(min / step) * step; t <= max + step * 1e-9; t += step) {
                ticks.add(t);
            }
            return new Axis(min, max, ticks);
        }

        static Axis logOf(double lo, double hi) {
            double min = Math.floor(lo);
            double max = Math.max(Math.ceil(hi), min + 1);
            List<Double> ticks = new ArrayList<>();
            for (double t = min; t <= max; t++) {
                ticks.add(t);
            }
            return new Axis(min, max, ticks);
        }

        static String label(double v) {
            if (v == Math.rint(v) && Math.abs(v) < 1e6) {
                return String.valueOf((long) v);
            }
            return Math.abs(v) < 1e-3 ? String.format(Locale.ROOT, "%.0e", v)
                    : String.format(Locale.ROOT, "%.3g", v).replaceAll("\\.?0+$", "");
        }

        static String value(double v) {
            return Math.abs(v) < 1e-3 && v != 0 ? String.format(Locale.ROOT, "%.3e", v)
                    : String.format(Locale.ROOT, "%.4f", v);
        }
    }
}
