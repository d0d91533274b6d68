package io.dpo4j.data;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How preference data is read and tokenized.
 *
 * @param fields          field names
 * @param onBadRow        fail or skip on unusable rows
 * @param skipReport      JSONL report of skipped rows, or {@code null} for none
 * @param maxLength       maximum tokens of prompt + completion per sequence
 * @param maxPromptLength maximum prompt tokens (applied before the completion is truncated)
 * @param truncationMode  which part of a long prompt survives
 * @param limits          size limits while reading
 */
public record DataOptions(FieldNames fields, OnBadRow onBadRow, Path skipReport, int maxLength, int maxPromptLength,
                          TruncationMode truncationMode, ReadLimits limits) {

    /** Options with the default {@link ReadLimits}. */
    public DataOptions(FieldNames fields, OnBadRow onBadRow, Path skipReport, int maxLength, int maxPromptLength,
                       TruncationMode truncationMode) {
        this(fields, onBadRow, skipReport, maxLength, maxPromptLength, truncationMode, ReadLimits.DEFAULTS);
    }

    /** Validates lengths ({@code 1 <= maxPromptLength <= maxLength}) and non-null parts. */
    public DataOptions {
        Objects.requireNonNull(fields, "fields");
        Objects.requireNonNull(onBadRow, "onBadRow");
        Objects.requireNonNull(truncationMode, "truncationMode");
        Objects.requireNonNull(limits, "limits");
        if (maxLength < 2) {
            throw new IllegalArgumentException("maxLength: expected >= 2, found " + maxLength);
        }
        if (maxPromptLength < 1 || maxPromptLength > maxLength) {
            throw new IllegalArgumentException("maxPromptLength: expected 1.." + maxLength + " (maxLength), found "
                    + maxPromptLength);
        }
    }

    /** Default longest prompt+completion in tokens (also the command line's {@code --max-length} default). */
    public static final String DEFAULT_MAX_LENGTH = "128";
    /** Default prompt token budget ({@code --max-prompt-length}). */
    public static final String DEFAULT_MAX_PROMPT_LENGTH = "64";

    /**
     * Defaults, the same as the command line's: default field names, FAIL, no report, max length
     * {@value #DEFAULT_MAX_LENGTH}, max prompt length {@value #DEFAULT_MAX_PROMPT_LENGTH}, keep end, default limits.
     */
    public static DataOptions defaults() {
        return new DataOptions(FieldNames.DEFAULTS, OnBadRow.FAIL, null, Integer.parseInt(DEFAULT_MAX_LENGTH),
                Integer.parseInt(DEFAULT_MAX_PROMPT_LENGTH), TruncationMode.KEEP_END);
    }

    /** A copy with other length limits. */
    public DataOptions withLengths(int newMaxLength, int newMaxPromptLength) {
        return new DataOptions(fields, onBadRow, skipReport, newMaxLength, newMaxPromptLength, truncationMode, limits);
    }

    /** A copy with another bad-row policy and report path. */
    public DataOptions withOnBadRow(OnBadRow policy, Path report) {
        return new DataOptions(fields, policy, report, maxLength, maxPromptLength, truncationMode, limits);
    }

    /** A copy with other read limits. */
    public DataOptions withLimits(ReadLimits newLimits) {
        return new DataOptions(fields, onBadRow, skipReport, maxLength, maxPromptLength, truncationMode, newLimits);
    }
}
