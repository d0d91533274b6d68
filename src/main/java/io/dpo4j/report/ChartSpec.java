package io.dpo4j.report;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The data of one chart, independent of how it is drawn: a title, axis labels and named (x, y) series. Training
 * curves are {@link Style#LINES} over steps ({@link TrainingCharts}); another source (a sweep's metric against a
 * hyper-parameter, say) builds a spec with {@link Style#POINTS} and the renderer and page draw it unchanged.
 *
 * @param id     file stem of the chart's image, e.g. {@code loss} (letters, digits, {@code -} and {@code _})
 * @param title  chart title
 * @param xLabel x-axis label
 * @param yLabel y-axis label
 * @param style  how series are drawn
 * @param series at least one series
 */
public record ChartSpec(String id, String title, String xLabel, String yLabel, Style style, List<Series> series) {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    /** How every series of a chart is drawn. */
    public enum Style {
        /** Points joined in x order (training curves). */
        LINES,
        /** Unjoined points (scatter plots). */
        POINTS
    }

    /**
     * One point.
     *
     * @param x x value (a step for training curves), finite
     * @param y y value; a non-finite value is kept and left out of the drawing
     */
    public record Point(double x, double y) {
        /** Validates x. */
        public Point {
            if (!Double.isFinite(x)) {
                throw new IllegalArgumentException("x: expected a finite number, found " + x);
            }
        }
    }

    /**
     * One named series.
     *
     * @param label  legend text, e.g. {@code dpo-a eval}
     * @param group  series with the same group share a colour (one colour per run); at least 0
     * @param dashed whether the line is dashed (evaluation series)
     * @param points the points, at least one
     */
    public record Series(String label, int group, boolean dashed, List<Point> points) {
        /** Validates and copies the points. */
        public Series {
            if (label == null || label.isBlank()) {
                throw new IllegalArgumentException("series label: expected non-blank text, found " + label);
            }
            if (group < 0) {
                throw new IllegalArgumentException("series group: expected at least 0, found " + group);
            }
            points = List.copyOf(points);
            if (points.isEmpty()) {
                throw new IllegalArgumentException("series '" + label + "': expected at least one point, found none");
            }
        }
    }

    /** Validates and copies the series. */
    public ChartSpec {
        if (id == null || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException("chart id: expected 1-64 of [A-Za-z0-9_-], found " + id);
        }
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(xLabel, "xLabel");
        Objects.requireNonNull(yLabel, "yLabel");
        Objects.requireNonNull(style, "style");
        series = List.copyOf(series);
        if (series.isEmpty()) {
            throw new IllegalArgumentException("chart '" + id + "': expected at least one series, found none");
        }
    }

    /** @return the file name of the chart's image, {@code <id>.png} */
    public String fileName() {
        return id + ".png";
    }
}
