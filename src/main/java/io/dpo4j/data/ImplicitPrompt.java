package io.dpo4j.data;

/**
 * Splits an implicit-prompt pair (no prompt field; chosen and rejected both start with the prompt) at a word
 * boundary inside their longest common prefix: the prompt ends just before the last whitespace run that starts
 * inside the common prefix, so a completion keeps its leading space ({@code "Q: hi\nA: yes"} / {@code "Q: hi\nA: no"}
 * → prompt {@code "Q: hi\nA:"}, completions {@code " yes"} / {@code " no"}), and a word shared only partly
 * ({@code "great"} / {@code "good"}) is never cut. With no such boundary the prompt is empty.
 */
final class ImplicitPrompt {

    private ImplicitPrompt() {
    }

    /** Prompt, chosen and rejected parts. */
    record Parts(String prompt, String chosen, String rejected) {
    }

    static Parts split(String chosen, String rejected) {
        int common = commonPrefix(chosen, rejected);
        int boundary = 0;
        for (int i = Math.min(common, Math.min(chosen.length() - 1, rejected.length() - 1)); i >= 1; i--) {
            if (startsSpaceRun(chosen, i) && startsSpaceRun(rejected, i)) {
                boundary = i;
                break;
            }
        }
        return new Parts(chosen.substring(0, boundary), chosen.substring(boundary), rejected.substring(boundary));
    }

    private static boolean startsSpaceRun(String s, int i) {
        return PythonStringMethods.isPythonSpace(s.charAt(i)) && !PythonStringMethods.isPythonSpace(s.charAt(i - 1));
    }

    static int commonPrefix(String a, String b) {
        int n = Math.min(a.length(), b.length());
        int i = 0;
        while (i < n && a.charAt(i) == b.charAt(i)) {
            i++;
        }
        if (i > 0 && i < n && Character.isHighSurrogate(a.charAt(i - 1))) {
            i--; // never split a surrogate pair
        }
        return i;
    }
}
