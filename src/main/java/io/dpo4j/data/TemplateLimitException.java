package io.dpo4j.data;

/**
 * A chat template (not a data row) exceeded a limit: render time or output size. It stops the run whatever
 * {@link OnBadRow} says, because every following row would hit it too; the message names the template's file.
 */
public final class TemplateLimitException extends RuntimeException {

    /** @param message one line naming the template's file, the limit and a hint */
    public TemplateLimitException(String message) {
        super(message, null, false, false);
    }
}
