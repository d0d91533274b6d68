package io.dpo4j.iterate;

import java.util.Locale;

/** Which model a round's DPO loss measures the policy against. */
public enum ReferenceMode {
    /** The start model in every round (the artifacts' starting weights). */
    FIXED,
    /** The previous round's policy (round 1: the start model), as in iterative DPO with a refreshed reference. */
    REFRESH;

    /** Parses {@code fixed} or {@code refresh}; the message lists the valid values. */
    public static ReferenceMode parse(String text) {
        for (ReferenceMode m : values()) {
            if (m.name().equalsIgnoreCase(text)) {
                return m;
            }
        }
        throw new IllegalArgumentException("--reference: unknown value '" + text + "'; valid: fixed, refresh");
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
