package io.dpo4j.iterate;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;

/**
 * One sampled completion of one prompt, as a line of {@code generations.jsonl} (and, with its judge score, of
 * {@code eval-samples.jsonl}).
 *
 * @param promptId   the prompt's id (its id field, or its {@code file:line})
 * @param prompt     the prompt text
 * @param sample     index of the sample among the prompt's samples (it drew from the sampling seed + sample)
 * @param completion the generated text, EOS excluded
 * @param tokens     generated tokens, EOS included when it was produced
 * @param eos        whether the sequence ended with EOS (otherwise it hit the token limit, a stop string or the
 *                   model's positions)
 */
public record Completion(@JsonProperty("prompt_id") String promptId,
                         @JsonProperty("prompt") String prompt,
                         @JsonProperty("sample") int sample,
                         @JsonProperty("completion") String completion,
                         @JsonProperty("tokens") int tokens,
                         @JsonProperty("eos") boolean eos) {

    /** Validates the fields, naming the one that is wrong. */
    public Completion {
        Objects.requireNonNull(promptId, "prompt_id");
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(completion, "completion");
        if (sample < 0) {
            throw new IllegalArgumentException("sample: expected >= 0, found " + sample);
        }
        if (tokens < 0) {
            throw new IllegalArgumentException("tokens: expected >= 0, found " + tokens);
        }
    }
}
