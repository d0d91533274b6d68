package io.dpo4j.report;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One row of a report's summary table.
 *
 * @param run           the run's name
 * @param finalStep     highest step logged
 * @param finalEpoch    epoch of the last record at {@code finalStep}, or NaN when it has none
 * @param finalLoss     training loss of the last training record, or null when there is none
 * @param finalEvalStep step of the last evaluation, or -1 when the run has none
 * @param finalEval     the last evaluation's metrics without the {@code eval_} prefix, in {@link #EVAL_COLUMNS}
 *                      order (only those present); empty when the run has no evaluation
 * @param bestEvalLoss  lowest finite {@code eval_loss}, or null when the run has none
 * @param bestEvalStep  step of {@code bestEvalLoss} (the first such step on a tie), or -1
 * @param checkpoint    newest checkpoint, or null
 * @param skipped       number of skipped lines and files
 */
public record RunSummary(String run, long finalStep, double finalEpoch, Double finalLoss, long finalEvalStep,
                         Map<String, Double> finalEval, Double bestEvalLoss, long bestEvalStep,
                         RunMetrics.Checkpoint checkpoint, int skipped) {

    /** Evaluation metrics shown in the table, in order. */
    public static final List<String> EVAL_COLUMNS = List.of("loss", "rewards/accuracies", "rewards/margins",
            "rewards/chosen", "rewards/rejected");

    /** Validates and copies {@code finalEval}. */
    public RunSummary {
        Objects.requireNonNull(run, "run");
        finalEval = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(finalEval));
        if ((bestEvalLoss == null) != (bestEvalStep < 0)) {
            throw new IllegalArgumentException("best eval: expected a loss with its step or neither, found loss "
                    + bestEvalLoss + " at step " + bestEvalStep);
        }
        if (skipped < 0) {
            throw new IllegalArgumentException("skipped: expected at least 0, found " + skipped);
        }
    }

    /** @return the summary of {@code run} */
    public static RunSummary of(RunMetrics run) {
        long finalStep = run.finalStep();
        double epoch = run.records().stream().filter(r -> r.step() == finalStep)
                .reduce((a, b) -> b).map(MetricRecord::epoch).orElse(Double.NaN);
        Double finalLoss = run.last("loss").map(r -> r.get("loss")).orElse(null);
        Map<String, Double> finalEval = new LinkedHashMap<>();
        long finalEvalStep = -1;
        var lastEval = run.last(RunMetrics.EVAL_PREFIX + "loss");
        if (lastEval.isPresent()) {
            finalEvalStep = lastEval.get().step();
            for (String c : EVAL_COLUMNS) {
                Double v = lastEval.get().get(RunMetrics.EVAL_PREFIX + c);
                if (v != null) {
                    finalEval.put(c, v);
                }
            }
        }
        Double best = null;
        long bestStep = -1;
        for (ChartSpec.Point p : run.series(RunMetrics.EVAL_PREFIX + "loss")) {
            if (Double.isFinite(p.y()) && (best == null || p.y() < best)) {
                best = p.y();
                bestStep = (long) p.x();
            }
        }
        return new RunSummary(run.name(), finalStep, epoch, finalLoss, finalEvalStep, finalEval, best, bestStep,
                run.checkpoint(), run.problems().size());
    }
}
