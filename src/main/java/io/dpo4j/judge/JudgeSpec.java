package io.dpo4j.judge;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One parsed judge spec {@code KIND:ARG[@WEIGHT]}.
 *
 * <p>The weight is the text after the last {@code @} when that text has no whitespace, slash, backslash, quote or
 * bracket (so {@code onnx:dir@2} has weight 2 while {@code cmd:["prog","a@b"]} and {@code onnx:/x@y/dir} have
 * none); it must then be a finite non-zero number (negative weights penalise). To keep an {@code @} that ends the
 * argument, append an explicit weight: {@code onnx:dir@v2@1}.
 *
 * @param kind   the judge kind, one of {@link #KINDS}
 * @param arg    the text after {@code KIND:} without the weight, non-empty
 * @param weight the weight, 1 when absent
 * @param text   the spec as given, for messages
 */
public record JudgeSpec(String kind, String arg, double weight, String text) {
    /** The judge kinds {@link Judges#open} knows. */
    public static final List<String> KINDS = List.of("onnx", "cmd", "length");
    /** The syntax, for messages and help. */
    public static final String SYNTAX = "KIND:ARG[@WEIGHT] with KIND one of onnx:DIR, cmd:PROGRAM ARG... "
            + "(or cmd:[\"PROGRAM\",\"ARG\",...]), length:TOKENS";

    private static final Pattern WEIGHT = Pattern.compile("@([^\\s@/\\\\\"'\\[\\]]+)$");

    /** Validates kind, argument and weight; messages name the spec. */
    public JudgeSpec {
        if (!KINDS.contains(kind)) {
            throw new IllegalArgumentException("judge spec '" + text + "': expected a kind among " + KINDS
                    + ", found '" + kind + "'");
        }
        if (arg == null || arg.isBlank()) {
            throw new IllegalArgumentException("judge spec '" + text + "': expected an argument after '" + kind
                    + ":', found none");
        }
        if (!Double.isFinite(weight) || weight == 0) {
            throw new IllegalArgumentException("judge spec '" + text + "': expected a finite non-zero weight, found "
                    + weight);
        }
    }

    /**
     * Parses one spec.
     *
     * @throws IllegalArgumentException naming the spec: no kind, an unknown kind (listing the valid ones), an empty
     *                                  argument, a weight that is not a finite non-zero number
     */
    public static JudgeSpec parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("judge spec: expected " + SYNTAX + ", found an empty spec");
        }
        String t = text.strip();
        int colon = t.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("judge spec '" + text + "': expected " + SYNTAX + ", found no KIND:");
        }
        String kind = t.substring(0, colon);
        String rest = t.substring(colon + 1);
        double weight = 1.0;
        Matcher m = WEIGHT.matcher(rest);
        if (m.find()) {
            String w = m.group(1);
            try {
                weight = Double.parseDouble(w);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("judge spec '" + text + "': expected a number after the last '@' "
                        + "(the weight), found '" + w + "'");
            }
            rest = rest.substring(0, m.start());
        }
        return new JudgeSpec(kind, rest.strip(), weight, text);
    }
}
