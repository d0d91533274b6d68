package io.dpo4j.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpo4j.report.ChartSpec.Point;
import io.dpo4j.report.ChartSpec.Series;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Chart data and summary rows from metrics.jsonl files written here: series values, names, overlay, best eval. */
class TrainingChartsTest {
    @TempDir
    Path tmp;

    private RunMetrics run(String name, String content) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(name));
        Files.writeString(dir.resolve("metrics.jsonl"), content);
        return MetricsReader.read(dir, name, false);
    }

    private static final String A = """
            {"step":1,"epoch":0.25,"loss":0.693,"rewards/margins":0.0,"rewards/accuracies":0.0,"learning_rate":0.003}
            {"step":2,"epoch":0.5,"loss":0.65,"rewards/margins":0.1,"rewards/accuracies":0.5,"learning_rate":0.002}
            {"step":2,"epoch":0.5,"eval_loss":0.68,"eval_rewards/margins":0.05,"eval_rewards/accuracies":0.6,\
            "eval_rewards/chosen":0.02,"eval_rewards/rejected":-0.03}
            {"step":3,"epoch":0.75,"loss":0.6,"rewards/margins":0.3,"rewards/accuracies":1.0,"learning_rate":0.001}
            {"step":4,"epoch":1.0,"loss":0.62,"rewards/margins":0.2,"rewards/accuracies":0.5,"learning_rate":0.0}
            {"step":4,"epoch":1.0,"eval_loss":0.7,"eval_rewards/margins":0.01,"eval_rewards/accuracies":0.55}
            """;

    private static final String B = """
            {"step":2,"epoch":1.0,"loss":0.5,"rewards/margins":0.4,"rewards/accuracies":1.0,"learning_rate":0.001}
            {"step":4,"epoch":2.0,"loss":0.4,"rewards/margins":0.8,"rewards/accuracies":1.0,"learning_rate":0.001}
            """;

    @Test
    void oneRunGivesTrainAndEvalSeriesOnTheSameChart() throws Exception {
        List<ChartSpec> charts = TrainingCharts.of(List.of(run("dpo-a", A)));
        assertThat(charts).extracting(ChartSpec::id)
                .containsExactly("loss", "rewards-margins", "rewards-accuracies", "learning-rate");
        ChartSpec loss = charts.get(0);
        assertThat(loss.xLabel()).isEqualTo("step");
        assertThat(loss.yLabel()).isEqualTo("loss");
        assertThat(loss.style()).isEqualTo(ChartSpec.Style.LINES);
        assertThat(loss.series()).containsExactly(
                new Series("dpo-a", 0, false, List.of(new Point(1, 0.693), new Point(2, 0.65), new Point(3, 0.6),
                        new Point(4, 0.62))),
                new Series("dpo-a eval", 0, true, List.of(new Point(2, 0.68), new Point(4, 0.7))));
        assertThat(charts.get(1).series().get(1).points()).containsExactly(new Point(2, 0.05), new Point(4, 0.01));
        assertThat(charts.get(2).series().get(0).points()).extracting(Point::y).containsExactly(0.0, 0.5, 1.0, 0.5);
        ChartSpec lr = charts.get(3);
        assertThat(lr.series()).singleElement().satisfies(s -> {
            assertThat(s.label()).isEqualTo("dpo-a");
            assertThat(s.points()).extracting(Point::y).containsExactly(0.003, 0.002, 0.001, 0.0);
        });
    }

    @Test
    void severalRunsAreOverlaidOneSeriesPerRunInItsOwnColourGroup() throws Exception {
        List<ChartSpec> charts = TrainingCharts.of(List.of(run("dpo-a", A), run("dpo-b", B)));
        ChartSpec loss = charts.get(0);
        assertThat(loss.series()).extracting(Series::label).containsExactly("dpo-a", "dpo-a eval", "dpo-b");
        assertThat(loss.series()).extracting(Series::group).containsExactly(0, 0, 1);
        assertThat(loss.series().get(2).points()).containsExactly(new Point(2, 0.5), new Point(4, 0.4));
        assertThat(charts.get(3).series()).extracting(Series::label).containsExactly("dpo-a", "dpo-b");
    }

    @Test
    void aChartNoRunHasDataForIsLeftOut() throws Exception {
        RunMetrics onlyLoss = run("x", "{\"step\":1,\"loss\":0.7}\n{\"step\":1,\"eval_loss\":0.71}\n");
        assertThat(TrainingCharts.of(List.of(onlyLoss))).singleElement()
                .satisfies(c -> assertThat(c.series()).extracting(Series::label).containsExactly("x", "x eval"));
    }

    @Test
    void summaryHasFinalStepFinalEvalAndBestEvalLossWithItsStep() throws Exception {
        RunSummary s = RunSummary.of(run("dpo-a", A));
        assertThat(s.run()).isEqualTo("dpo-a");
        assertThat(s.finalStep()).isEqualTo(4);
        assertThat(s.finalEpoch()).isEqualTo(1.0);
        assertThat(s.finalLoss()).isEqualTo(0.62);
        assertThat(s.finalEvalStep()).isEqualTo(4);
        assertThat(s.finalEval()).containsExactly(java.util.Map.entry("loss", 0.7),
                java.util.Map.entry("rewards/accuracies", 0.55), java.util.Map.entry("rewards/margins", 0.01));
        assertThat(s.bestEvalLoss()).isEqualTo(0.68);
        assertThat(s.bestEvalStep()).isEqualTo(2);
        assertThat(s.skipped()).isZero();

        RunSummary noEval = RunSummary.of(run("dpo-b", B));
        assertThat(noEval.finalEvalStep()).isEqualTo(-1);
        assertThat(noEval.finalEval()).isEmpty();
        assertThat(noEval.bestEvalLoss()).isNull();
        assertThat(noEval.bestEvalStep()).isEqualTo(-1);
    }

    @Test
    void bestEvalLossIgnoresNaNAndKeepsTheFirstStepOfATie() throws Exception {
        RunSummary s = RunSummary.of(run("t", """
                {"step":1,"eval_loss":"NaN"}
                {"step":2,"eval_loss":0.5}
                {"step":3,"eval_loss":0.5}
                """));
        assertThat(s.bestEvalLoss()).isEqualTo(0.5);
        assertThat(s.bestEvalStep()).isEqualTo(2);
        assertThat(s.finalLoss()).isNull();
    }
}
