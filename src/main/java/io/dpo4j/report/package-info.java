/**
 * {@code dpo4j report}: reads the {@code metrics.jsonl} of one or more runs ({@link io.dpo4j.report.MetricsReader}),
 * turns them into chart data ({@link io.dpo4j.report.TrainingCharts}) and a summary table
 * ({@link io.dpo4j.report.RunSummary}), renders the charts to PNG headless with JFreeChart
 * ({@link io.dpo4j.report.ChartRenderer}) and writes an HTML page with no external resources
 * ({@link io.dpo4j.report.HtmlPage}, {@link io.dpo4j.report.ReportWriter}).
 *
 * <p>Charts are plain data ({@link io.dpo4j.report.ChartSpec}: titled axes and named (x, y) series drawn as lines or
 * as points), so a later source such as a hyper-parameter sweep adds a chart by producing one more spec; the
 * renderer and the page need no change.
 */
package io.dpo4j.report;
