package io.dpo4j.data;

import java.util.Objects;

/**
 * One prompt read by {@link PromptReader}.
 *
 * @param id     the row's id field, or its {@code file:line} when it has none
 * @param text   the prompt text, as written in the file
 * @param source {@code file:line} of the row
 */
public record Prompt(String id, String text, String source) {

    /** Validates non-null parts. */
    public Prompt {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(source, "source");
    }
}
