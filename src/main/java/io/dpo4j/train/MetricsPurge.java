package io.dpo4j.train;

import com.fasterxml.jackson.databind.JsonNode;
import io.dpo4j.util.Files2;
import io.dpo4j.util.IoReason;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Cuts {@code metrics.jsonl} back to a resumed step, like TensorBoard's {@code purge_step}: records with
 * {@code step} greater than the resumed step (written after the checkpoint by the interrupted run) are dropped, a
 * torn last line (no final newline, e.g. after {@code kill -9}) is dropped, and so is any complete line that is not a
 * JSON object with a numeric {@code step}. Kept lines are copied byte for byte; the file is rewritten through a
 * temporary sibling and a rename, and left untouched when nothing is dropped.
 */
public final class MetricsPurge {
    private MetricsPurge() {}

    /**
     * What a purge did.
     *
     * @param kept       records kept (step at most the resumed step)
     * @param later      records dropped for a step after the resumed step
     * @param unreadable complete lines dropped because they are not a record
     * @param torn       whether a last line without a newline was dropped
     */
    public record Result(int kept, int later, int unreadable, boolean torn) {
        /** @return whether the file was rewritten */
        public boolean changed() {
            return later > 0 || unreadable > 0 || torn;
        }
    }

    /**
     * @param file metrics file (absent: nothing to do)
     * @param step the step the run resumes from
     * @return what was kept and dropped
     */
    public static Result purgeAfter(Path file, long step) {
        if (!Files.exists(file)) {
            return new Result(0, 0, 0, false);
        }
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + IoReason.of(e), e);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(all.length);
        int kept = 0, later = 0, unreadable = 0;
        int start = 0;
        for (int i = 0; i < all.length; i++) {
            if (all[i] != '\n') {
                continue;
            }
            String line = new String(all, start, i - start, StandardCharsets.UTF_8);
            if (!line.isBlank()) {
                Long s = stepOf(line);
                if (s == null) {
                    unreadable++;
                } else if (s > step) {
                    later++;
                } else {
                    out.write(all, start, i - start + 1);
                    kept++;
                }
            }
            start = i + 1;
        }
        boolean torn = start < all.length;
        Result r = new Result(kept, later, unreadable, torn);
        if (r.changed()) {
            Files2.writeAtomically(file, out.toByteArray());
        }
        return r;
    }

    private static Long stepOf(String line) {
        try {
            JsonNode n = Files2.JSON.readTree(line);
            return n != null && n.isObject() && n.path("step").isIntegralNumber() ? n.get("step").asLong() : null;
        } catch (IOException e) {
            return null;
        }
    }
}
