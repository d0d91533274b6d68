package io.dpo4j.report;

import java.util.Map;
import java.util.Objects;

/**
 * One line of {@code metrics.jsonl}: a training record (TRL's names: {@code loss}, {@code rewards/margins},
 * {@code learning_rate}, ...) or an evaluation record (the same names prefixed {@code eval_}).
 *
 * @param line   1-based line number in the file, for messages
 * @param step   optimizer step the record was written at (at least 0)
 * @param epoch  epoch at that step, or NaN when the record has none
 * @param values every other numeric field by its name as written (non-finite values kept as NaN or infinities)
 */
public record MetricRecord(long line, long step, double epoch, Map<String, Double> values) {

    /** Validates and copies {@code values}. */
    public MetricRecord {
        if (line < 1) {
            throw new IllegalArgumentException("line: expected at least 1, found " + line);
        }
        if (step < 0) {
            throw new IllegalArgumentException("step: expected at least 0, found " + step);
        }
        Objects.requireNonNull(values, "values");
        if (values.containsKey("step") || values.containsKey("epoch")) {
            throw new IllegalArgumentException("values: expected metrics only, found 'step' or 'epoch' among them");
        }
        values = Map.copyOf(values);
    }

    /** @return the value of {@code key}, or null when this record has none */
    public Double get(String key) {
        return values.get(key);
    }

    /** @return whether this is an evaluation record (it has a key starting with {@code eval_}) */
    public boolean isEval() {
        return values.keySet().stream().anyMatch(k -> k.startsWith(RunMetrics.EVAL_PREFIX));
    }
}
