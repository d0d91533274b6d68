package io.dpo4j.data;

/**
 * Running totals of a {@link PairTokenizer}.
 *
 * @param pairs             pairs encoded
 * @param kept              pairs kept
 * @param dropped           pairs dropped (a completion would be empty or have no counted token)
 * @param boundaryMerges    completions whose joint tokenization merged across the prompt/completion boundary
 * @param promptTruncated   pairs whose prompt was truncated
 * @param chosenTruncated   pairs whose chosen completion was truncated
 * @param rejectedTruncated pairs whose rejected completion was truncated
 */
public record Counters(long pairs, long kept, long dropped, long boundaryMerges, long promptTruncated,
                       long chosenTruncated, long rejectedTruncated) {

    /** Validates non-negative counts and {@code kept + dropped == pairs}. */
    public Counters {
        if (pairs < 0 || kept < 0 || dropped < 0 || boundaryMerges < 0 || promptTruncated < 0 || chosenTruncated < 0
                || rejectedTruncated < 0) {
            throw new IllegalArgumentException("counts must be >= 0");
        }
        if (kept + dropped != pairs) {
            throw new IllegalArgumentException("expected kept + dropped == pairs, found " + kept + " + " + dropped
                    + " != " + pairs);
        }
    }
}
