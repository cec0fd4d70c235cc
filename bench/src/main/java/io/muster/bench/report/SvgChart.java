package io.muster.bench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A line chart as a standalone SVG document: one or more series of (x, y) points, linear axes
 * starting at zero with round tick values, a title and axis labels. Written by hand so the bench
 * needs no plotting library. Immutable builder-style; thread-safe once built.
 */
public final class SvgChart {

    /** One line of the chart. */
    public record Series(String name, List<double[]> points) {
        public Series {
            points = List.copyOf(points);
        }
    }

    private static final int WIDTH = 720;
    private static final int HEIGHT = 420;
    private static final int LEFT = 80;
    private static final int RIGHT = 30;
    private static final int TOP = 50;
    private static final int BOTTOM = 60;
    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd"};

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final List<Series> series;
    private final List<double[]> verticalMarks;

    private SvgChart(String title, String xLabel, String yLabel, List<Series> series, List<double[]> marks) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
        this.series = List.copyOf(series);
        this.verticalMarks = List.copyOf(marks);
    }

    public static SvgChart lines(String title, String xLabel, String yLabel, List<Series> series) {
        return new SvgChart(title, xLabel, yLabel, series, List.of());
    }

    /** The same chart with a dashed vertical line at {@code x} (e.g. the moment of a kill). */
    public SvgChart withMark(double x) {
        List<double[]> marks = new ArrayList<>(verticalMarks);
        marks.add(new double[] {x});
        return new SvgChart(title, xLabel, yLabel, series, marks);
    }

    /**
     * A cumulative distribution: x = value, y = fraction of samples at or below it (0..100 %).
     *
     * @param sortedValues ascending
     */
    public static SvgChart cdf(String title, String xLabel, double[] sortedValues) {
        List<double[]> points = new ArrayList<>();
        int n = sortedValues.length;
        // At most ~1,000 points: a CDF of 110,000 values drawn point by point would be megabytes.
        int step = Math.max(1, n / 1000);
        points.add(new double[] {0, 0});
        for (int i = 0; i < n; i += step) {
            points.add(new double[] {sortedValues[i], 100.0 * (i + 1) / n});
        }
        if (n > 0) {
            points.add(new double[] {sortedValues[n - 1], 100.0});
        }
        return lines(title, xLabel, "hosts with their result durable (%)", List.of(new Series("runs", points)));
    }

    public String render() {
        double maxX = 0;
        double maxY = 0;
        for (Series s : series) {
            for (double[] p : s.points()) {
                maxX = Math.max(maxX, p[0]);
                maxY = Math.max(maxY, p[1]);
            }
        }
        for (double[] mark : verticalMarks) {
            maxX = Math.max(maxX, mark[0]);
        }
        double xTick = tick(maxX);
        double yTick = tick(maxY);
        double xMax = Math.max(xTick, Math.ceil(maxX / xTick) * xTick);
        double yMax = Math.max(yTick, Math.ceil(maxY / yTick) * yTick);
        int plotW = WIDTH - LEFT - RIGHT;
        int plotH = HEIGHT - TOP - BOTTOM;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                        + "font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT, WIDTH, HEIGHT));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, HEIGHT));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"28\" font-size=\"16\" text-anchor=\"middle\">%s</text>%n",
                WIDTH / 2, escape(title)));
        for (double x = 0; x <= xMax + xTick / 2; x += xTick) {
            double px = LEFT + x / xMax * plotW;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>%n",
                    px, TOP, px, TOP + plotH));
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                    px, TOP + plotH + 18, number(x)));
        }
        for (double y = 0; y <= yMax + yTick / 2; y += yTick) {
            double py = TOP + plotH - y / yMax * plotH;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n",
                    LEFT, py, LEFT + plotW, py));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                    LEFT - 6, py + 4, number(y)));
        }
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#333\"/>%n",
                LEFT, TOP, plotW, plotH));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                LEFT + plotW / 2, HEIGHT - 15, escape(xLabel)));
        svg.append(String.format(Locale.ROOT,
                "<text x=\"18\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 18 %d)\">%s</text>%n",
                TOP + plotH / 2, TOP + plotH / 2, escape(yLabel)));
        for (double[] mark : verticalMarks) {
            double px = LEFT + mark[0] / xMax * plotW;
            svg.append(String.format(Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#888\" stroke-dasharray=\"5,4\"/>%n",
                    px, TOP, px, TOP + plotH));
        }
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            String colour = COLOURS[i % COLOURS.length];
            StringBuilder path = new StringBuilder();
            for (double[] p : s.points()) {
                path.append(path.length() == 0 ? "M" : " L").append(String.format(Locale.ROOT, "%.1f,%.1f",
                        LEFT + p[0] / xMax * plotW, TOP + plotH - p[1] / yMax * plotH));
            }
            svg.append(String.format(Locale.ROOT, "<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>%n",
                    path, colour));
            if (series.size() > 1) {
                svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"%s\">%s</text>%n",
                        LEFT + 10, TOP + 16 + 16 * i, colour, escape(s.name())));
            }
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    /** A round tick spacing (1, 2 or 5 times a power of ten) giving about five intervals. */
    static double tick(double max) {
        if (max <= 0 || Double.isNaN(max) || Double.isInfinite(max)) {
            return 1;
        }
        double raw = max / 5;
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        double normalized = raw / magnitude;
        double nice = normalized <= 1 ? 1 : normalized <= 2 ? 2 : normalized <= 5 ? 5 : 10;
        return nice * magnitude;
    }

    private static String number(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return String.format(Locale.ROOT, "%,d", (long) value);
        }
        return String.format(Locale.ROOT, "%.2f", value);
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
