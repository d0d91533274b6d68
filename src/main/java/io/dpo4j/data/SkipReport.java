package io.dpo4j.data;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpo4j.util.Files2;
import io.dpo4j.util.IoReason;
import io.dpo4j.util.OutputGuard;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes skipped rows as JSONL: {@code {"file":..., "line":..., "field":..., "reason":...}} per line. The report is
 * written to a temporary sibling ({@code <report>.tmp-<digits>}) and renamed over the report, so it is never seen
 * half-written and a report path that is a link to another file replaces the link, never the file behind it. A report
 * path naming the data file it reports on is refused before anything is written.
 */
final class SkipReport {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SkipReport() {
    }

    /**
     * @param report  where the report goes
     * @param sources the data files the rows were read from (never overwritten)
     * @param rows    the skipped rows of all of them
     */
    static void write(Path report, List<Path> sources, List<BadRow> rows) {
        OutputGuard.requireNotInput("--skip-report", report,
                sources.stream().map(s -> new OutputGuard.Input("the data file", s)).toList());
        OutputGuard.requireWritableFile("--skip-report", report);
        Path tmp = null;
        try {
            tmp = Files2.createTempSibling(report);
            try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
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
            Files2.moveAtomically(tmp, report);
            tmp = null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write skip report " + report + ": " + IoReason.of(e), e);
        } finally {
            Files2.deleteQuietly(tmp);
        }
    }
}
