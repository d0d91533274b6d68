package io.dpo4j.report;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Input a report skipped: a line of {@code metrics.jsonl} that is not a usable record (a torn last line of a run
 * killed while writing, or still writing; a line that is not JSON, not an object, or has a field of the wrong type),
 * or a whole file such as an unreadable {@code trainer_state.json}.
 *
 * @param file   the file
 * @param line   1-based line number, or 0 when the problem is the whole file
 * @param reason what was expected and what was found
 */
public record MetricsProblem(Path file, long line, String reason) {

    /** Validates the fields. */
    public MetricsProblem {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(reason, "reason");
        if (line < 0) {
            throw new IllegalArgumentException("line: expected at least 0, found " + line);
        }
    }

    /** @return {@code file:line: reason} ({@code file: reason} for a whole file), the form of every message */
    @Override
    public String toString() {
        return file + (line > 0 ? ":" + line : "") + ": " + reason;
    }
}
