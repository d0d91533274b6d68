package io.dpo4j.report;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import io.dpo4j.train.CheckpointStore;
import io.dpo4j.util.Files2;
import io.dpo4j.util.IoReason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a run directory for a report: {@code metrics.jsonl} as {@link MetricRecord}s and the newest checkpoint's
 * {@code trainer_state.json}.
 *
 * <p>A line that is not a usable record (torn, not UTF-8, not JSON, not an object, no integer {@code step}, a field
 * that is not a number) is skipped and returned as a {@link MetricsProblem} naming {@code file:line}, because a
 * report is most often made while a run is still writing its last line; with {@code strict} the first such line
 * fails the read instead. A missing {@code metrics.jsonl} and a file with no usable record always fail. Numbers may
 * be written as JSON numbers or, as Jackson writes non-finite doubles, the strings {@code "NaN"},
 * {@code "Infinity"} and {@code "-Infinity"}.
 */
public final class MetricsReader {
    /** Name of the metrics file in a run directory. */
    public static final String METRICS_FILE = "metrics.jsonl";
    /**
     * Largest {@code metrics.jsonl} read: about 500,000 records of TRL's metrics, which the reader holds in memory
     * (roughly 1 KiB each).
     */
    public static final long MAX_BYTES = 256L << 20;

    private static final ObjectReader JSON = Files2.JSON.reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .with(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS);

    private MetricsReader() {}

    /**
     * @param runDir a run directory written by {@code dpo4j train}
     * @param name   the run's name in charts and tables
     * @param strict fail on the first unusable line instead of skipping it
     * @return the run's records and skipped lines
     * @throws IllegalArgumentException when the directory or its metrics file is missing, has no usable record, or
     *                                  (strict) has an unusable line; the message names {@code file:line}
     */
    public static RunMetrics read(Path runDir, String name, boolean strict) {
        if (!Files.isDirectory(runDir)) {
            throw new IllegalArgumentException("run directory " + runDir + ": expected a directory holding "
                    + METRICS_FILE + ", found " + (Files.exists(runDir) ? "a file" : "nothing"));
        }
        Path file = runDir.resolve(METRICS_FILE);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": expected the run's metrics file (written by dpo4j train), "
                    + "found " + (Files.exists(file) ? "something that is not a regular file" : "no such file"));
        }
        List<MetricRecord> records = new ArrayList<>();
        List<MetricsProblem> problems = new ArrayList<>();
        byte[] all = readBytes(file);
        int start = 0;
        long lineNo = 0;
        while (start < all.length) {
            int end = start;
            while (end < all.length && all[end] != '\n') {
                end++;
            }
            lineNo++;
            boolean torn = end == all.length;
            int stop = end > start && all[end - 1] == '\r' ? end - 1 : end;
            Object parsed = torn ? "torn last line: expected a record ending in a newline, found "
                    + (end - start) + " bytes without one (a run killed while writing, or still writing)"
                    : parse(all, start, stop, lineNo);
            if (parsed instanceof MetricRecord r) {
                records.add(r);
            } else if (parsed instanceof String reason) {
                MetricsProblem p = new MetricsProblem(file, lineNo, reason);
                if (strict) {
                    throw new IllegalArgumentException(p + " (without --strict such lines are skipped)");
                }
                problems.add(p);
            }
            start = end + 1;
        }
        if (records.isEmpty()) {
            throw new IllegalArgumentException(file + ": expected at least one metrics record, found none ("
                    + lineNo + " lines, " + problems.size() + " unusable" + (problems.isEmpty() ? ""
                    : "; first: line " + problems.get(0).line() + ": " + problems.get(0).reason()) + ")");
        }
        RunMetrics.Checkpoint ckpt = null;
        Optional<Path> latest = new CheckpointStore(runDir).latest();
        if (latest.isPresent()) {
            Object c = checkpoint(latest.get());
            if (c instanceof RunMetrics.Checkpoint cp) {
                ckpt = cp;
            } else {
                MetricsProblem p = new MetricsProblem(latest.get().resolve(CheckpointStore.STATE_FILE), 0, (String) c);
                if (strict) {
                    throw new IllegalArgumentException(p.toString());
                }
                problems.add(p);
            }
        }
        return new RunMetrics(name, runDir, records, problems, ckpt);
    }

    private static byte[] readBytes(Path file) {
        try {
            long size = Files.size(file);
            if (size > MAX_BYTES) {
                throw new IllegalArgumentException(file + ": expected at most " + MAX_BYTES + " bytes, found "
                        + size);
            }
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + IoReason.of(e), e);
        }
    }

    /** @return a {@link MetricRecord}, a String saying why the line is unusable, or null for a blank line */
    private static Object parse(byte[] all, int start, int end, long lineNo) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(all, start, end - start)).toString();
        } catch (CharacterCodingException e) {
            return "expected UTF-8 text, found an invalid byte sequence";
        }
        if (text.isBlank()) {
            return null;
        }
        JsonNode n;
        try {
            n = JSON.readTree(text);
        } catch (IOException e) {
            return "expected a JSON object, found text that is not JSON (" + firstLine(e.getMessage()) + ")";
        }
        if (n == null || !n.isObject()) {
            return "expected a JSON object, found " + kind(n);
        }
        JsonNode step = n.get("step");
        if (step == null || !step.isIntegralNumber() || !step.canConvertToLong() || step.asLong() < 0) {
            return "field 'step': expected an integer >= 0, found " + (step == null ? "no such field" : kind(step));
        }
        double epoch = Double.NaN;
        Map<String, Double> values = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (f.getKey().equals("step")) {
                continue;
            }
            Double v = number(f.getValue());
            if (v == null) {
                return "field '" + f.getKey() + "': expected a number, found " + kind(f.getValue());
            }
            if (f.getKey().equals("epoch")) {
                epoch = v;
            } else {
                values.put(f.getKey(), v);
            }
        }
        return new MetricRecord(lineNo, step.asLong(), epoch, values);
    }

    private static Double number(JsonNode v) {
        if (v.isNumber()) {
            return v.asDouble();
        }
        if (v.isTextual()) {
            return switch (v.asText()) {
                case "NaN" -> Double.NaN;
                case "Infinity" -> Double.POSITIVE_INFINITY;
                case "-Infinity" -> Double.NEGATIVE_INFINITY;
                default -> null;
            };
        }
        return null;
    }

    /** @return the checkpoint, or a String saying why its {@code trainer_state.json} is unusable */
    private static Object checkpoint(Path dir) {
        Path state = dir.resolve(CheckpointStore.STATE_FILE);
        JsonNode n;
        try {
            n = JSON.readTree(Files.readString(state));
        } catch (IOException e) {
            return "expected the checkpoint's JSON state, found "
                    + (e instanceof com.fasterxml.jackson.core.JsonProcessingException jpe
                    ? "text that is not JSON (" + firstLine(jpe.getOriginalMessage()) + ")"
                    : "an unreadable file (" + IoReason.of(e) + ")");
        }
        JsonNode step = n == null ? null : n.get("step");
        if (step == null || !step.isIntegralNumber() || step.asLong() < 0) {
            return "field 'step': expected an integer >= 0, found " + (step == null ? "no such field" : kind(step));
        }
        JsonNode loss = n.get("eval_loss");
        Double evalLoss = loss == null || loss.isNull() ? null : number(loss);
        if (loss != null && !loss.isNull() && evalLoss == null) {
            return "field 'eval_loss': expected a number or null, found " + kind(loss);
        }
        return new RunMetrics.Checkpoint(dir.getFileName().toString(), step.asLong(), evalLoss);
    }

    private static String kind(JsonNode n) {
        if (n == null || n.isMissingNode()) {
            return "nothing";
        }
        String text = n.toString();
        String shown = text.length() > 40 ? text.substring(0, 40) + "..." : text;
        return switch (n.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "a string (" + shown + ")";
            case BOOLEAN -> "a boolean (" + shown + ")";
            case NULL -> "null";
            case NUMBER -> "a number (" + shown + ")";
            default -> n.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
        };
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "no detail";
        }
        String line = s.strip().lines().findFirst().orElse("");
        return line.length() > 120 ? line.substring(0, 120) + "..." : line;
    }
}
