package io.dpo4j.report;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The report's HTML page: the summary table, one figure per chart (an {@code <img>} by relative path) and the input
 * that was skipped. Styles are inline and a Content-Security-Policy forbids anything but the page's own images, so
 * the page loads no external resource (no CDN, no fonts, no scripts).
 *
 * @param title     page title and first heading
 * @param runs      the runs, in legend order
 * @param summaries one summary per run, same order
 * @param charts    charts with the relative path of each image, in page order
 * @param problems  skipped lines and files
 * @param generated when the report was made (shown as is)
 */
public record HtmlPage(String title, List<RunMetrics> runs, List<RunSummary> summaries, List<Figure> charts,
                       List<MetricsProblem> problems, String generated) {

    /**
     * A chart on the page.
     *
     * @param spec  the chart
     * @param src   the image's path relative to the page, e.g. {@code charts/loss.png}
     * @param width image width in pixels
     * @param height image height in pixels
     */
    public record Figure(ChartSpec spec, String src, int width, int height) {
        /** Validates the fields. */
        public Figure {
            Objects.requireNonNull(spec, "spec");
            if (src == null || src.isBlank() || src.startsWith("/") || src.contains("..") || src.contains(":")) {
                throw new IllegalArgumentException("image src: expected a relative path inside the report, found "
                        + src);
            }
        }
    }

    /** Validates and copies the lists. */
    public HtmlPage {
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(generated, "generated");
        runs = List.copyOf(runs);
        summaries = List.copyOf(summaries);
        charts = List.copyOf(charts);
        problems = List.copyOf(problems);
        if (runs.size() != summaries.size()) {
            throw new IllegalArgumentException("summaries: expected one per run (" + runs.size() + "), found "
                    + summaries.size());
        }
    }

    private static final String STYLE = """
            body{font-family:"DejaVu Sans",Arial,sans-serif;margin:24px auto;max-width:1000px;padding:0 16px;\
            color:#222;background:#fff}
            h1{font-size:1.6em;margin-bottom:4px}h2{font-size:1.25em;margin-top:32px;border-bottom:1px solid #ccc}
            .meta{color:#555;font-size:.9em}code{font-family:"DejaVu Sans Mono",monospace;font-size:.9em}
            .scroll{overflow-x:auto}table{border-collapse:collapse;font-size:.85em}
            th,td{border:1px solid #ccc;padding:4px 8px;text-align:right;white-space:nowrap}
            th{background:#f2f2f2;white-space:normal;vertical-align:bottom}h3{font-size:1.05em;margin:16px 0 6px}td:first-child,th:first-child{text-align:left}
            figure{margin:16px 0}img{max-width:100%;height:auto;border:1px solid #eee}
            figcaption{color:#555;font-size:.85em}li{font-family:"DejaVu Sans Mono",monospace;font-size:.85em}
            """;

    /** @return the page as HTML5 text */
    public String render() {
        StringBuilder h = new StringBuilder(8192);
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src 'self'; ")
                .append("style-src 'unsafe-inline'\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>").append(esc(title)).append("</title>\n<style>\n").append(STYLE)
                .append("</style>\n</head>\n<body>\n<h1>").append(esc(title)).append("</h1>\n")
                .append("<p class=\"meta\">Generated ").append(esc(generated)).append(" by dpo4j report from ")
                .append(runs.size()).append(runs.size() == 1 ? " run" : " runs").append(".</p>\n<ul class=\"runs\">\n");
        for (RunMetrics r : runs) {
            h.append("<li>").append(esc(r.name())).append(": <code>").append(esc(r.dir().toString()))
                    .append("</code> (").append(r.records().size()).append(" records)</li>\n");
        }
        h.append("</ul>\n<h2 id=\"summary\">Summary</h2>\n");
        summaryTable(h);
        h.append("<h2 id=\"charts\">Charts</h2>\n");
        if (charts.isEmpty()) {
            h.append("<p>No chart: no run has any of the charted metrics.</p>\n");
        }
        for (Figure f : charts) {
            h.append("<figure id=\"chart-").append(esc(f.spec().id())).append("\">\n<img src=\"").append(esc(f.src()))
                    .append("\" alt=\"").append(esc(f.spec().title())).append("\" width=\"").append(f.width())
                    .append("\" height=\"").append(f.height()).append("\">\n<figcaption>")
                    .append(esc(caption(f.spec()))).append("</figcaption>\n</figure>\n");
        }
        if (!problems.isEmpty()) {
            h.append("<h2 id=\"skipped\">Skipped input</h2>\n<ul>\n");
            for (MetricsProblem p : problems) {
                h.append("<li>").append(esc(p.toString())).append("</li>\n");
            }
            h.append("</ul>\n");
        }
        return h.append("</body>\n</html>\n").toString();
    }

    private void summaryTable(StringBuilder h) {
        h.append("<h3>Training</h3>\n<div class=\"scroll\"><table id=\"training\">\n<thead><tr><th>Run</th>")
                .append("<th>Final step</th><th>Epoch</th><th>Final loss</th><th>Newest checkpoint</th>")
                .append("<th>Skipped (lines, files)</th></tr></thead>\n<tbody>\n");
        for (RunSummary s : summaries) {
            h.append("<tr><td>").append(esc(s.run())).append("</td>");
            cell(h, Long.toString(s.finalStep()));
            cell(h, num(s.finalEpoch()));
            cell(h, s.finalLoss() == null ? "–" : num(s.finalLoss()));
            cell(h, s.checkpoint() == null ? "–" : s.checkpoint().dirName());
            cell(h, Integer.toString(s.skipped()));
            h.append("</tr>\n");
        }
        h.append("</tbody>\n</table></div>\n<h3>Evaluation (held-out)</h3>\n<div class=\"scroll\">")
                .append("<table id=\"evaluation\">\n<thead><tr><th>Run</th><th>Last eval step</th>");
        for (String c : RunSummary.EVAL_COLUMNS) {
            h.append("<th>eval_").append(esc(c).replace("/", "/<wbr>")).append("</th>");
        }
        h.append("<th>Best eval_loss</th><th>Best at step</th></tr></thead>\n<tbody>\n");
        for (RunSummary s : summaries) {
            h.append("<tr><td>").append(esc(s.run())).append("</td>");
            cell(h, s.finalEvalStep() < 0 ? "–" : Long.toString(s.finalEvalStep()));
            for (String c : RunSummary.EVAL_COLUMNS) {
                Double v = s.finalEval().get(c);
                cell(h, v == null ? "–" : num(v));
            }
            cell(h, s.bestEvalLoss() == null ? "–" : num(s.bestEvalLoss()));
            cell(h, s.bestEvalStep() < 0 ? "–" : Long.toString(s.bestEvalStep()));
            h.append("</tr>\n");
        }
        h.append("</tbody>\n</table></div>\n");
    }

    private static void cell(StringBuilder h, String text) {
        h.append("<td>").append(esc(text)).append("</td>");
    }

    private static String caption(ChartSpec spec) {
        StringBuilder c = new StringBuilder(spec.yLabel()).append(" against ").append(spec.xLabel()).append(": ");
        for (int i = 0; i < spec.series().size(); i++) {
            ChartSpec.Series s = spec.series().get(i);
            c.append(i == 0 ? "" : "; ").append(s.label()).append(" (").append(s.points().size())
                    .append(s.points().size() == 1 ? " point" : " points").append(s.dashed() ? ", dashed" : "")
                    .append(")");
        }
        return c.toString();
    }

    /** @return {@code v} with 4 decimals, or in scientific notation when very small or large */
    static String num(double v) {
        if (!Double.isFinite(v)) {
            return Double.isNaN(v) ? "NaN" : v > 0 ? "inf" : "-inf";
        }
        double a = Math.abs(v);
        return a != 0 && (a < 1e-3 || a >= 1e6) ? String.format(Locale.ROOT, "%.3e", v)
                : String.format(Locale.ROOT, "%.4f", v);
    }

    /** @return {@code s} with the five HTML special characters escaped */
    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(ch);
            }
        }
        return b.toString();
    }
}
