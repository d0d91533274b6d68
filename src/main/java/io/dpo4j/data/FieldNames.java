package io.dpo4j.data;

import java.util.Objects;

/**
 * Column / key names of a preference row. {@code prefProb}, {@code weight} and {@code id} are optional in the data;
 * the prompt may be absent (implicit prompt layout).
 *
 * @param prompt   prompt field (string or list of messages)
 * @param chosen   preferred completion field
 * @param rejected dispreferred completion field
 * @param prefProb optional probability in [0, 1] that chosen is preferred (soft label)
 * @param weight   optional non-negative per-pair weight
 * @param id       optional row id
 * @param promptOptional whether a row without the prompt field uses the implicit-prompt layout; false when the
 *                 user named the prompt field ({@code --prompt-field}), so a missing field is a bad row instead
 */
public record FieldNames(String prompt, String chosen, String rejected, String prefProb, String weight, String id,
                         boolean promptOptional) {

    /** TRL's names plus {@code preference}, {@code weight} and {@code id}. */
    public static final FieldNames DEFAULTS = new FieldNames("prompt", "chosen", "rejected", "preference", "weight", "id");

    /** Names with an optional prompt field (the implicit-prompt layout applies to rows without it). */
    public FieldNames(String prompt, String chosen, String rejected, String prefProb, String weight, String id) {
        this(prompt, chosen, rejected, prefProb, weight, id, true);
    }

    /** Validates that every name is non-blank and that prompt/chosen/rejected differ. */
    public FieldNames {
        requireName("prompt", prompt);
        requireName("chosen", chosen);
        requireName("rejected", rejected);
        requireName("prefProb", prefProb);
        requireName("weight", weight);
        requireName("id", id);
        if (prompt.equals(chosen) || prompt.equals(rejected) || chosen.equals(rejected)) {
            throw new IllegalArgumentException("field names must differ: prompt='" + prompt + "', chosen='" + chosen
                    + "', rejected='" + rejected + "'");
        }
    }

    /** The defaults ({@link #DEFAULTS}). */
    public static FieldNames defaults() {
        return DEFAULTS;
    }

    /** True when these are exactly the default names (enables automatic recognition of seed column names). */
    public boolean isDefault() {
        return withPromptOptional(true).equals(DEFAULTS);
    }

    /** A copy where a row without the prompt field is (or is not) read with the implicit-prompt layout. */
    public FieldNames withPromptOptional(boolean optional) {
        return new FieldNames(prompt, chosen, rejected, prefProb, weight, id, optional);
    }

    private static void requireName(String what, String value) {
        Objects.requireNonNull(value, what + " field name");
        if (value.isBlank()) {
            throw new IllegalArgumentException("field name for " + what + ": expected a non-blank name, found '" + value + "'");
        }
    }
}
