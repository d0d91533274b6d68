package io.dpo4j.data;

/** The reader's test for text that is empty or only whitespace (including no-break spaces and zero-width characters). */
public final class BlankText {
    private BlankText() {}

    /** @return whether a completion with this text would be a bad row ("expected a non-empty completion") */
    public static boolean isBlank(String text) {
        return RowParser.isBlank(text);
    }
}
