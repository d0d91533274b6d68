package io.dpo4j.data;

/** Which part of an over-long PROMPT survives truncation (TRL's {@code keep_start} / {@code keep_end}). */
public enum TruncationMode {
    /** Keep the first tokens of the prompt. */
    KEEP_START,
    /** Keep the last tokens of the prompt (a leading BOS token is preserved). */
    KEEP_END
}
