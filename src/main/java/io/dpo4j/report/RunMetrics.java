package io.dpo4j.report;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a run directory holds for a report: its {@code metrics.jsonl} records in file order, the lines skipped while
 * reading them, and its newest checkpoint.
 *
 * @param name       legend and table name (the run directory's name, or its path when two runs share a name)
 * @param dir        the run directory
 * @param records    usable records, in file order
 * @param problems   skipped lines, in file order
 * @param checkpoint the newest checkpoint under {@code checkpoints/}, or null when there is none
 */
public record RunMetrics(String name, Path dir, List<MetricRecord> records, List<MetricsProblem> problems,
                         Checkpoint checkpoint) {

    /** Prefix of the evaluation metrics in {@code metrics.jsonl} (TRL's). */
    public static final String EVAL_PREFIX = "eval_";

    /**
     * The newest checkpoint of a run, as its {@code trainer_state.json} records it.
     *
     * @param dirName  the checkpoint directory's name, e.g. {@code step-000150}
     * @param step     the step recorded in {@code trainer_state.json}
     * @param evalLoss held-out loss at that step, or null when that step was not evaluated
     */
    public record Checkpoint(String dirName, long step, Double evalLoss) {
        /** Validates the fields. */
        public Checkpoint {
            Objects.requireNonNull(dirName, "dirName");
            if (step < 0) {
                throw new IllegalArgumentException("checkpoint step: expected at least 0, found " + step);
            }
        }
    }

    /** Validates and copies the lists. */
    public RunMetrics {
        Objects.requireNonNull(dir, "dir");
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name: expected a non-blank run name, found " + name);
        }
        records = List.copyOf(records);
        problems = List.copyOf(problems);
    }

    /** @return this run under another name (used to tell apart runs whose directories share a name) */
    public RunMetrics withName(String newName) {
        return new RunMetrics(newName, dir, records, problems, checkpoint);
    }

    /**
     * The values of one metric by step, ascending. When several records give the metric at the same step, the
     * later line wins (an interrupted run that was restarted without {@code --resume} logs the steps again).
     *
     * @param key the metric's name as written, e.g. {@code loss} or {@code eval_loss}
     * @return (step, value) points; empty when no record has the metric
     */
    public List<ChartSpec.Point> series(String key) {
        TreeMap<Long, Double> byStep = new TreeMap<>();
        for (MetricRecord r : records) {
            Double v = r.get(key);
            if (v != null) {
                byStep.put(r.step(), v);
            }
        }
        List<ChartSpec.Point> out = new ArrayList<>(byStep.size());
        byStep.forEach((s, v) -> out.add(new ChartSpec.Point(s, v)));
        return out;
    }

    /** @return the last record (in file order) that has {@code key} */
    public Optional<MetricRecord> last(String key) {
        for (int i = records.size() - 1; i >= 0; i--) {
            if (records.get(i).get(key) != null) {
                return Optional.of(records.get(i));
            }
        }
        return Optional.empty();
    }

    /** @return the highest step of any record, or -1 when there is none */
    public long finalStep() {
        return records.stream().mapToLong(MetricRecord::step).max().orElse(-1);
    }
}
