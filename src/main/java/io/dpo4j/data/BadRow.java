package io.dpo4j.data;

import java.util.Objects;

/**
 * A row that could not be used.
 *
 * @param file   file name as given
 * @param line   1-based line where the row starts
 * @param field  offending field, or {@code "-"} when the row as a whole is bad
 * @param reason what was expected and what was found
 */
public record BadRow(String file, long line, String field, String reason) {

    /** Validates non-null parts and a positive line. */
    public BadRow {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(reason, "reason");
        if (line < 1) {
            throw new IllegalArgumentException("line: expected >= 1, found " + line);
        }
    }

    /** {@code "file:line: field 'chosen': reason"} (or {@code "file:line: reason"} for whole-row problems). */
    public String message() {
        return "-".equals(field) ? file + ":" + line + ": " + reason
                : file + ":" + line + ": field '" + field + "': " + reason;
    }
}
