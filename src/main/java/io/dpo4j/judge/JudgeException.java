package io.dpo4j.judge;

/** A candidate could not be scored; names which one and why. */
public final class JudgeException extends Exception {
    private final int index;
    private final String reason;

    /**
     * @param index  the candidate's position in the list given to {@link Judge#score} (-1 when the whole call failed)
     * @param prompt the candidate's prompt (shortened in the message), or null
     * @param reason what went wrong
     */
    public JudgeException(int index, String prompt, String reason) {
        super(message(index, prompt, reason));
        this.index = index;
        this.reason = reason;
    }

    /**
     * @param index  as in {@link #JudgeException(int, String, String)}
     * @param prompt as in {@link #JudgeException(int, String, String)}
     * @param reason what went wrong
     * @param cause  the underlying failure
     */
    public JudgeException(int index, String prompt, String reason, Throwable cause) {
        super(message(index, prompt, reason), cause);
        this.index = index;
        this.reason = reason;
    }

    /** @return what went wrong, without the candidate's index and prompt (to re-attribute it to another index) */
    public String reason() {
        return reason;
    }

    /** @return the failed candidate's index, or -1 when the whole call failed */
    public int index() {
        return index;
    }

    private static String message(int index, String prompt, String reason) {
        if (index < 0 || prompt == null) {
            return "judge failed: " + reason;
        }
        String p = prompt.length() > 60 ? prompt.substring(0, 60) + "…" : prompt;
        return "judge failed on candidate " + index + " (prompt \"" + p.replace("\n", "\\n") + "\"): " + reason;
    }
}
