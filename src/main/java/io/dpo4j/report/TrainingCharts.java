package io.dpo4j.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The training-curve charts of a report: loss, rewards/margins and rewards/accuracies with the training series and
 * the held-out ({@code eval_}) series on the same axes, and the learning rate. Every run contributes its own series
 * (named by the run, evaluation series suffixed {@code eval} and dashed, both in the run's colour), so several runs
 * are overlaid on one chart. A chart none of whose runs has the metric is left out.
 */
public final class TrainingCharts {

    /**
     * A training-curve chart: one metric, optionally with its {@code eval_} counterpart.
     *
     * @param id       chart id (image file stem)
     * @param metric   the training metric's name in {@code metrics.jsonl}
     * @param title    chart title
     * @param withEval whether the {@code eval_} series is drawn on the same axes
     */
    public record Definition(String id, String metric, String title, boolean withEval) {
        /** Validates the fields. */
        public Definition {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(title, "title");
            if (metric == null || metric.isBlank() || metric.startsWith(RunMetrics.EVAL_PREFIX)) {
                throw new IllegalArgumentException("metric: expected a training metric name (no "
                        + RunMetrics.EVAL_PREFIX + " prefix), found " + metric);
            }
        }
    }

    /** The charts of every report, in page order. */
    public static final List<Definition> DEFAULT = List.of(
            new Definition("loss", "loss", "Loss (train and eval)", true),
            new Definition("rewards-margins", "rewards/margins", "Reward margin (train and eval)", true),
            new Definition("rewards-accuracies", "rewards/accuracies", "Reward accuracy (train and eval)", true),
            new Definition("learning-rate", "learning_rate", "Learning rate", false));

    private TrainingCharts() {}

    /** @return the {@link #DEFAULT} charts of {@code runs} */
    public static List<ChartSpec> of(List<RunMetrics> runs) {
        return of(runs, DEFAULT);
    }

    /**
     * @param runs        the runs, in legend order (run i gets colour group i)
     * @param definitions the charts wanted
     * @return one spec per definition that has data in some run
     */
    public static List<ChartSpec> of(List<RunMetrics> runs, List<Definition> definitions) {
        List<ChartSpec> out = new ArrayList<>();
        for (Definition d : definitions) {
            List<ChartSpec.Series> series = new ArrayList<>();
            for (int i = 0; i < runs.size(); i++) {
                RunMetrics run = runs.get(i);
                List<ChartSpec.Point> train = run.series(d.metric());
                if (!train.isEmpty()) {
                    series.add(new ChartSpec.Series(run.name(), i, false, train));
                }
                if (d.withEval()) {
                    List<ChartSpec.Point> eval = run.series(RunMetrics.EVAL_PREFIX + d.metric());
                    if (!eval.isEmpty()) {
                        series.add(new ChartSpec.Series(run.name() + " eval", i, true, eval));
                    }
                }
            }
            if (!series.isEmpty()) {
                out.add(new ChartSpec(d.id(), d.title(), "step", d.metric(), ChartSpec.Style.LINES, series));
            }
        }
        return out;
    }
}
