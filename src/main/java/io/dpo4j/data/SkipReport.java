package io.dpo4j.data;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Writes skipped rows as JSONL: {@code {"file":..., "line":..., "field":..., "reason":...}} per line. */
final class SkipReport {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SkipReport() {
    }

    static void write(Path report, List<BadRow> rows) {
        try {
            Path parent = report.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try (BufferedWriter w = Files.newBufferedWriter(report, StandardCharsets.UTF_8)) {
                for (BadRow r : rows) {
                    ObjectNode o = JSON.createObjectNode();
                    o.put("file", r.file());
                    o.put("line", r.line());
                    o.put("field", r.field());
                    o.put("reason", r.reason());
                    w.write(JSON.writeValueAsString(o));
                    w.write('\n');
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write skip report " + report + ": " + e.getMessage(), e);
        }
    }
}
