package io.dpo4j.data;

import java.util.Optional;

/**
 * Outcome of {@link PairTokenizer#encode}: a tokenized pair, or the reason it was dropped, plus what happened on
 * the way.
 *
 * @param tokenized         the tokenized pair, or {@code null} when dropped
 * @param dropReason        why the pair was dropped, or {@code null} when kept
 * @param boundaryMerges    completions (0..2) whose joint tokenization merged across the prompt boundary and were
 *                          therefore tokenized separately
 * @param promptTruncated   the prompt exceeded maxPromptLength
 * @param chosenTruncated   the chosen completion was cut at its end to fit maxLength
 * @param rejectedTruncated the rejected completion was cut at its end to fit maxLength
 */
public record EncodeResult(TokenizedPair tokenized, String dropReason, int boundaryMerges, boolean promptTruncated,
                           boolean chosenTruncated, boolean rejectedTruncated) {

    /** Validates that exactly one of pair / dropReason is set. */
    public EncodeResult {
        if ((tokenized == null) == (dropReason == null)) {
            throw new IllegalArgumentException("expected exactly one of pair and dropReason, found "
                    + (tokenized == null ? "neither" : "both"));
        }
        if (boundaryMerges < 0 || boundaryMerges > 2) {
            throw new IllegalArgumentException("boundaryMerges: expected 0..2, found " + boundaryMerges);
        }
    }

    /** True when the pair was kept. */
    public boolean kept() {
        return tokenized != null;
    }

    /** The tokenized pair, empty when dropped. */
    public Optional<TokenizedPair> pair() {
        return Optional.ofNullable(tokenized);
    }
}
