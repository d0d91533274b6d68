package io.dpo4j.sweep;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * One line of a sweep's {@code trials.jsonl}: a trial started (its point and option values), or finished (its
 * objective and the metrics of its last evaluation). The file is append-only, so a sweep killed at any moment keeps
 * every finished trial and knows which one was running.
 *
 * @param trial     trial index (0-based)
 * @param status    {@code started} or {@code done}
 * @param point     the unit-hypercube point, one coordinate per searched parameter
 * @param values    option name → value as passed to {@code dpo4j train}
 * @param objective the objective (as reported, not sign-flipped), on done lines
 * @param metrics   the last evaluation's metrics, on done lines
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TrialRecord(@JsonProperty("trial") int trial, @JsonProperty("status") String status,
                          @JsonProperty("point") List<Double> point, @JsonProperty("values") Map<String, String> values,
                          @JsonProperty("objective") Double objective,
                          @JsonProperty("metrics") Map<String, Double> metrics) {
    /** Status of a trial that began. */
    public static final String STARTED = "started";
    /** Status of a trial that finished. */
    public static final String DONE = "done";

    /** @return the point as an array */
    double[] pointArray() {
        return point.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
