package io.dpo4j.train;

import io.dpo4j.data.TokenizedPair;
import java.util.List;

/**
 * Tokenized training and evaluation pairs plus what identifies them for caching and resuming.
 *
 * @param train        training pairs
 * @param eval         held-out pairs (may be empty)
 * @param dataChecksum SHA-256 over the data file(s)
 * @param settings     tokenization settings string (part of the reference cache key)
 * @param summary      one line on what was read, skipped and dropped
 */
public record PreparedData(List<TokenizedPair> train, List<TokenizedPair> eval, String dataChecksum, String settings,
                           String summary) {
    /** Copies the lists. */
    public PreparedData {
        train = List.copyOf(train);
        eval = List.copyOf(eval);
    }
}
