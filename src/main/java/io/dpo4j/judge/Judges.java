package io.dpo4j.judge;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import io.dpo4j.runtime.SessionConfig;
import io.dpo4j.util.Files2;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Opens judges from specs {@code KIND:ARG[@WEIGHT]} (see {@link JudgeSpec}):
 * <ul>
 *   <li>{@code onnx:DIR} — an {@link OnnxClassifierJudge} over a judge directory;</li>
 *   <li>{@code cmd:PROGRAM ARG...} — a {@link CommandJudge}; the argv is split on whitespace, or given as a JSON array
 *       of strings {@code cmd:["prog","arg with space"]}; it is started directly, never through a shell;</li>
 *   <li>{@code length:L} — a {@link LengthJudge} with target L tokens.</li>
 * </ul>
 * One spec with weight 1 opens that judge; otherwise the result is a {@link CompositeJudge} (weighted sum).
 */
public final class Judges {
    /** How long a command judge may take per candidate unless told otherwise. */
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(30);

    private Judges() {}

    /** Opens judges with ONNX judges on the CPU ({@link SessionConfig#cpuDefaults()}). */
    public static Judge open(List<String> specs) {
        return open(specs, SessionConfig.cpuDefaults(), DEFAULT_COMMAND_TIMEOUT);
    }

    /**
     * Opens the judges the specs describe.
     *
     * @param specs          one or more specs
     * @param onnxSession    session settings for {@code onnx:} judges
     * @param commandTimeout per-candidate timeout for {@code cmd:} judges
     * @throws IllegalArgumentException for a malformed spec (naming it) or a judge that cannot be opened; judges
     *                                  opened before the failing one are closed
     */
    public static Judge open(List<String> specs, SessionConfig onnxSession, Duration commandTimeout) {
        if (specs == null || specs.isEmpty()) {
            throw new IllegalArgumentException("judges: expected at least one spec (" + JudgeSpec.SYNTAX
                    + "), found none");
        }
        List<JudgeSpec> parsed = specs.stream().map(JudgeSpec::parse).toList();
        List<CompositeJudge.Part> parts = new ArrayList<>();
        try {
            for (JudgeSpec s : parsed) {
                parts.add(new CompositeJudge.Part(openOne(s, onnxSession, commandTimeout), s.weight()));
            }
        } catch (RuntimeException e) {
            parts.forEach(p -> p.judge().close());
            throw e;
        }
        if (parts.size() == 1 && parts.get(0).weight() == 1.0) {
            return parts.get(0).judge();
        }
        return new CompositeJudge(parts);
    }

    private static Judge openOne(JudgeSpec s, SessionConfig onnxSession, Duration commandTimeout) {
        return switch (s.kind()) {
            case "length" -> new LengthJudge(lengthTarget(s));
            case "cmd" -> new CommandJudge(argv(s), commandTimeout);
            case "onnx" -> OnnxClassifierJudge.open(Path.of(s.arg()), onnxSession);
            default -> throw new IllegalArgumentException("judge spec '" + s.text() + "': expected a kind among "
                    + JudgeSpec.KINDS + ", found '" + s.kind() + "'");
        };
    }

    private static int lengthTarget(JudgeSpec s) {
        if (!s.arg().matches("[0-9]{1,9}")) {
            throw new IllegalArgumentException("judge spec '" + s.text() + "': expected length:L with L a "
                    + "non-negative integer (target tokens), found '" + s.arg() + "'");
        }
        return Integer.parseInt(s.arg());
    }

    /** The argv of a {@code cmd:} spec: a JSON array of strings, or the argument split on whitespace. */
    static List<String> argv(JudgeSpec s) {
        String a = s.arg();
        if (!a.startsWith("[")) {
            return Arrays.asList(a.split("\\s+"));
        }
        JsonNode node;
        try {
            node = Files2.JSON.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(a);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("judge spec '" + s.text() + "': expected a JSON array of strings "
                    + "after 'cmd:', found invalid JSON: " + e.getOriginalMessage());
        }
        if (!node.isArray() || node.isEmpty()) {
            throw new IllegalArgumentException("judge spec '" + s.text() + "': expected a non-empty JSON array of "
                    + "strings after 'cmd:', found " + (node.isArray() ? "an empty array" : node.getNodeType()));
        }
        List<String> out = new ArrayList<>();
        for (JsonNode n : node) {
            if (!n.isTextual()) {
                throw new IllegalArgumentException("judge spec '" + s.text() + "': expected every argv element to be "
                        + "a string, found " + n.getNodeType() + " " + n);
            }
            out.add(n.asText());
        }
        if (out.get(0).isEmpty()) {
            throw new IllegalArgumentException("judge spec '" + s.text() + "': expected a program name as the "
                    + "first argv element, found an empty string");
        }
        return List.copyOf(out);
    }
}
