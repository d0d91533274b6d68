package io.dpo4j.judge;

/**
 * One thing to judge: a prompt and one completion of it.
 *
 * @param prompt           the prompt text as the policy saw it
 * @param completion       the generated text (prompt excluded)
 * @param completionTokens the completion's length in policy tokens (length judges use it)
 */
public record Candidate(String prompt, String completion, int completionTokens) {

    /** Validates the fields; the message names the field. */
    public Candidate {
        if (prompt == null) {
            throw new IllegalArgumentException("candidate prompt: expected text, found null");
        }
        if (completion == null) {
            throw new IllegalArgumentException("candidate completion: expected text, found null");
        }
        if (completionTokens < 0) {
            throw new IllegalArgumentException("candidate completion_tokens: expected >= 0, found " + completionTokens);
        }
    }
}
