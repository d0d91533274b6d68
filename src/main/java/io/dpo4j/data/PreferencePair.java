package io.dpo4j.data;

import java.util.Objects;

/**
 * One preference pair as text: the prompt (possibly rendered by a chat template) and the two completions.
 *
 * @param id       row id (from the data, or the source location when the data has none)
 * @param prompt   prompt text (may be empty, never null)
 * @param chosen   preferred completion text (non-empty)
 * @param rejected dispreferred completion text (non-empty, different from chosen)
 * @param prefProb probability in [0, 1] that chosen is preferred
 * @param weight   finite non-negative pair weight
 * @param source   {@code "file:line"} of the row
 */
public record PreferencePair(String id, String prompt, String chosen, String rejected, double prefProb, double weight,
                             String source) {

    /** Validates the invariants listed on the components. */
    public PreferencePair {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(chosen, "chosen");
        Objects.requireNonNull(rejected, "rejected");
        Objects.requireNonNull(source, "source");
        if (chosen.isEmpty() || rejected.isEmpty()) {
            throw new IllegalArgumentException(source + ": chosen and rejected must be non-empty");
        }
        if (chosen.equals(rejected)) {
            throw new IllegalArgumentException(source + ": chosen is identical to rejected");
        }
        if (!(prefProb >= 0.0 && prefProb <= 1.0)) {
            throw new IllegalArgumentException(source + ": prefProb expected in [0, 1], found " + prefProb);
        }
        if (!(weight >= 0.0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException(source + ": weight expected finite and >= 0, found " + weight);
        }
    }

    /** A hard-labelled, unit-weight pair. */
    public static PreferencePair of(String id, String prompt, String chosen, String rejected, String source) {
        return new PreferencePair(id, prompt, chosen, rejected, 1.0, 1.0, source);
    }
}
