package io.dpo4j.data;

/**
 * Size limits applied while reading preference data, so that no input (a file without line breaks such as
 * {@code /dev/zero}, a 10 MB prompt, billions of rows) can exhaust memory or stall tokenization.
 *
 * @param maxLineBytes   longest JSONL line in bytes; a longer line is a bad row
 * @param maxRows        most rows (usable and bad) per file; more is an error
 * @param maxPromptChars longest prompt, and longest completion, in characters (UTF-16 units), checked before
 *                       tokenization; a longer one is a bad row
 */
public record ReadLimits(int maxLineBytes, long maxRows, int maxPromptChars) {

    /** 64 MiB lines, 10,000,000 rows, 1,000,000 characters. */
    public static final ReadLimits DEFAULTS = new ReadLimits(64 << 20, 10_000_000L, 1_000_000);

    /** Validates that every limit is positive. */
    public ReadLimits {
        if (maxLineBytes < 1) {
            throw new IllegalArgumentException("--max-line-bytes: expected >= 1, found " + maxLineBytes);
        }
        if (maxRows < 1) {
            throw new IllegalArgumentException("--max-rows: expected >= 1, found " + maxRows);
        }
        if (maxPromptChars < 1) {
            throw new IllegalArgumentException("--max-prompt-chars: expected >= 1, found " + maxPromptChars);
        }
    }

    /** A copy with another line limit. */
    public ReadLimits withMaxLineBytes(int bytes) {
        return new ReadLimits(bytes, maxRows, maxPromptChars);
    }
}
