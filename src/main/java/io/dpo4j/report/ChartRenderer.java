package io.dpo4j.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.awt.geom.Ellipse2D;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Draws a {@link ChartSpec} as a PNG with JFreeChart, off screen ({@code java.awt.headless=true} is set before the
 * first chart, so no display is needed). Series of the same group share a colour from a palette that stays
 * distinguishable for colour-blind readers (Okabe and Ito); dashed series are drawn dashed; points are marked when a
 * series is short enough for marks to help. Non-finite values leave a gap.
 */
public final class ChartRenderer {
    static {
        System.setProperty("java.awt.headless", "true");
    }

    /** Colours by series group, cycled when there are more groups. */
    static final List<Color> PALETTE = List.of(new Color(0x0072B2), new Color(0xD55E00), new Color(0x009E73),
            new Color(0xCC79A7), new Color(0xE69F00), new Color(0x56B4E9), new Color(0x000000),
            new Color(0x8C6D31));

    /** Series with at most this many points get a mark at every point. */
    static final int MARK_POINTS_UP_TO = 60;

    private final int width;
    private final int height;

    /**
     * @param width  image width in pixels, 200 to 4000
     * @param height image height in pixels, 150 to 4000
     */
    public ChartRenderer(int width, int height) {
        if (width < 200 || width > 4000 || height < 150 || height > 4000) {
            throw new IllegalArgumentException("chart size: expected 200-4000 x 150-4000 pixels, found " + width
                    + " x " + height);
        }
        this.width = width;
        this.height = height;
    }

    /** @return the chart as PNG bytes */
    public byte[] png(ChartSpec spec) {
        JFreeChart chart = chart(spec);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ChartUtils.writeChartAsPNG(out, chart, width, height);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode chart '" + spec.id() + "' as PNG", e);
        }
        return out.toByteArray();
    }

    /** @return the JFreeChart for {@code spec} (exposed for tests) */
    static JFreeChart chart(ChartSpec spec) {
        XYSeriesCollection data = new XYSeriesCollection();
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(spec.style() == ChartSpec.Style.LINES, true);
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < spec.series().size(); i++) {
            ChartSpec.Series s = spec.series().get(i);
            String key = s.label();
            for (int n = 2; !keys.add(key); n++) {
                key = s.label() + " (" + n + ")";
            }
            XYSeries xy = new XYSeries(key, true, true);
            for (ChartSpec.Point p : s.points()) {
                xy.add(p.x(), Double.isFinite(p.y()) ? p.y() : Double.NaN);
            }
            data.addSeries(xy);
            Paint colour = PALETTE.get(s.group() % PALETTE.size());
            renderer.setSeriesPaint(i, colour);
            renderer.setSeriesStroke(i, s.dashed()
                    ? new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f, new float[] {7f, 4f}, 0f)
                    : new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            boolean marks = spec.style() == ChartSpec.Style.POINTS || s.points().size() <= MARK_POINTS_UP_TO;
            renderer.setSeriesShapesVisible(i, marks);
            double r = s.dashed() ? 3.5 : 2.5;
            renderer.setSeriesShape(i, new Ellipse2D.Double(-r, -r, 2 * r, 2 * r));
        }
        NumberAxis x = new NumberAxis(spec.xLabel());
        x.setAutoRangeIncludesZero(false);
        if (spec.style() == ChartSpec.Style.LINES) {
            x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        }
        NumberAxis y = new NumberAxis(spec.yLabel());
        y.setAutoRangeIncludesZero(false);
        for (NumberAxis axis : List.of(x, y)) {
            axis.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
            axis.setTickLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        }
        XYPlot plot = new XYPlot(data, x, y, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xDDDDDD));
        plot.setRangeGridlinePaint(new Color(0xDDDDDD));
        plot.setOutlinePaint(new Color(0x999999));
        JFreeChart chart = new JFreeChart(null, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setTitle(new TextTitle(spec.title(), new Font(Font.SANS_SERIF, Font.BOLD, 16)));
        chart.setBackgroundPaint(Color.WHITE);
        LegendTitle legend = chart.getLegend();
        legend.setPosition(RectangleEdge.BOTTOM);
        legend.setItemFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        return chart;
    }
}
