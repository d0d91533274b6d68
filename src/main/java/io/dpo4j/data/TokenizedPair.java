package io.dpo4j.data;

import java.util.Objects;

/**
 * A pair as token ids, after BOS/EOS and truncation. The arrays are copied in and out.
 *
 * @param source      the text pair
 * @param promptIds   prompt ids (BOS included when added)
 * @param chosenIds   chosen completion ids (EOS included when added and not truncated away), non-empty
 * @param rejectedIds rejected completion ids, non-empty
 */
public record TokenizedPair(PreferencePair source, long[] promptIds, long[] chosenIds, long[] rejectedIds) {

    /** Validates non-empty completions and copies the arrays. */
    public TokenizedPair {
        Objects.requireNonNull(source, "source");
        promptIds = Objects.requireNonNull(promptIds, "promptIds").clone();
        chosenIds = Objects.requireNonNull(chosenIds, "chosenIds").clone();
        rejectedIds = Objects.requireNonNull(rejectedIds, "rejectedIds").clone();
        if (chosenIds.length == 0 || rejectedIds.length == 0) {
            throw new IllegalArgumentException(source.source() + ": completions must be non-empty, found chosen "
                    + chosenIds.length + " / rejected " + rejectedIds.length + " tokens");
        }
        if (promptIds.length == 0 && (chosenIds.length < 2 || rejectedIds.length < 2)) {
            throw new IllegalArgumentException(source.source() + ": with an empty prompt each completion needs >= 2 "
                    + "tokens (position 0 is never counted)");
        }
    }

    @Override
    public long[] promptIds() {
        return promptIds.clone();
    }

    @Override
    public long[] chosenIds() {
        return chosenIds.clone();
    }

    @Override
    public long[] rejectedIds() {
        return rejectedIds.clone();
    }

    /** Prompt + chosen length. */
    public int chosenLength() {
        return promptIds.length + chosenIds.length;
    }

    /** Prompt + rejected length. */
    public int rejectedLength() {
        return promptIds.length + rejectedIds.length;
    }

    /** True when chosen has the same ids as rejected (possible after truncation). */
    public boolean completionsIdentical() {
        return java.util.Arrays.equals(chosenIds, rejectedIds);
    }
}
