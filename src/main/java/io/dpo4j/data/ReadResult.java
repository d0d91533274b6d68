package io.dpo4j.data;

import java.util.List;
import java.util.Objects;

/**
 * What {@link PreferenceReader#read} produced.
 *
 * @param pairs   usable pairs, in file order
 * @param skipped rows skipped under {@link OnBadRow#SKIP}, in file order (always empty under FAIL)
 */
public record ReadResult(List<PreferencePair> pairs, List<BadRow> skipped) {

    /** Copies both lists (immutable). */
    public ReadResult {
        pairs = List.copyOf(Objects.requireNonNull(pairs, "pairs"));
        skipped = List.copyOf(Objects.requireNonNull(skipped, "skipped"));
    }
}
