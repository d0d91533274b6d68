package io.dpo4j.data;

/** What {@link PreferenceReader} does with a row it cannot use. */
public enum OnBadRow {
    /** Throw a {@link DataFormatException} naming file, line, field and reason (the default). */
    FAIL,
    /** Skip the row, count it, and (when a skip report path is set) write it to a JSONL report. */
    SKIP
}
