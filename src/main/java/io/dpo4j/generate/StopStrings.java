package io.dpo4j.generate;

import java.util.List;
import java.util.function.Function;

/**
 * Stops a sequence once the decoded text of its generated tokens contains one of the stop strings (the token that
 * completes it is kept, as transformers' {@code stop_strings} does).
 *
 * @param strings the stop strings (none = never stop on text)
 * @param decoder turns generated token ids into text (the tokenizer's decode)
 */
public record StopStrings(List<String> strings, Function<long[], String> decoder) {
    /** No stop strings. */
    public static final StopStrings NONE = new StopStrings(List.of(), ids -> "");

    /** Copies the list. */
    public StopStrings {
        strings = List.copyOf(strings);
    }

    /** @return true when the text of {@code generated[0, length)} contains a stop string */
    public boolean reached(long[] generated, int length) {
        if (strings.isEmpty() || length == 0) {
            return false;
        }
        String text = decoder.apply(java.util.Arrays.copyOf(generated, length));
        for (String s : strings) {
            if (text.contains(s)) {
                return true;
            }
        }
        return false;
    }
}
