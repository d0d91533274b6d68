package io.dpo4j.iterate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpo4j.util.Files2;
import io.dpo4j.util.IoReason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The run's JSONL and JSON files: written whole to a temporary sibling and renamed into place; read strictly. */
final class Jsonl {
    /** Compact, key order as inserted; NaN written as null by the callers, never as a bare NaN token. */
    static final ObjectMapper JSON = JsonMapper.builder().build();

    private Jsonl() {}

    /** Writes one JSON object per line (temporary file + rename). */
    static void write(Path file, List<? extends JsonNode> rows) {
        StringBuilder sb = new StringBuilder();
        try {
            for (JsonNode row : rows) {
                sb.append(JSON.writeValueAsString(row)).append('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + file + ": " + e.getMessage(), e);
        }
        Files2.writeAtomically(file, sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Writes one pretty-printed JSON object (temporary file + rename). */
    static void writeObject(Path file, JsonNode node) {
        try {
            Files2.writeAtomically(file, (JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node) + "\n")
                    .getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * @return the objects of a JSONL file written by {@link #write}
     * @throws IllegalStateException naming {@code file:line} when a line is not a JSON object (the file was edited
     *                               or is not this run's)
     */
    static List<ObjectNode> read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + IoReason.of(e), e);
        }
        List<ObjectNode> out = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            try {
                JsonNode n = JSON.readTree(lines.get(i));
                if (!(n instanceof ObjectNode o)) {
                    throw new IOException("not an object");
                }
                out.add(o);
            } catch (IOException e) {
                throw new IllegalStateException(file + ":" + (i + 1) + ": expected one JSON object per line as "
                        + "dpo4j iterate writes it, found " + firstLine(e.getMessage()));
            }
        }
        return out;
    }

    /** @return the object in a JSON file */
    static ObjectNode readObject(Path file) {
        try {
            JsonNode n = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
            if (n instanceof ObjectNode o) {
                return o;
            }
            throw new IllegalStateException(file + ": expected a JSON object, found " + n.getNodeType());
        } catch (IOException e) {
            throw new IllegalStateException(file + ": expected a JSON object as dpo4j iterate writes it, found "
                    + firstLine(e.getMessage()), e);
        }
    }

    /** @return {@code v}, or null for NaN (JSON has no NaN) */
    static Double finite(double v) {
        return Double.isNaN(v) ? null : v;
    }

    /** @return the number at {@code field}, NaN for null or absent */
    static double number(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? Double.NaN : v.asDouble();
    }

    private static String firstLine(String m) {
        if (m == null) {
            return "no detail";
        }
        String s = m.lines().findFirst().orElse("");
        return s.length() > 160 ? s.substring(0, 160) + "..." : s;
    }
}
