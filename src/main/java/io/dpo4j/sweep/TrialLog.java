package io.dpo4j.sweep;

import io.dpo4j.util.Files2;
import io.dpo4j.util.IoReason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A sweep's append-only {@code trials.jsonl}. Opening it drops a torn last line (a kill while writing), so appends
 * never glue onto a partial record; every append is synced before the sweep goes on.
 */
final class TrialLog {
    private final Path file;
    private final Map<Integer, TrialRecord> started = new TreeMap<>();
    private final Map<Integer, TrialRecord> done = new TreeMap<>();

    private TrialLog(Path file) {
        this.file = file;
    }

    static TrialLog open(Path file) {
        TrialLog log = new TrialLog(file);
        if (!Files.exists(file)) {
            return log;
        }
        try {
            byte[] bytes = Files.readAllBytes(file);
            int end = bytes.length;
            while (end > 0 && bytes[end - 1] != '\n') {
                end--; // a torn last line: cut it
            }
            if (end != bytes.length) {
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    ch.truncate(end);
                }
            }
            int lineNo = 0;
            for (String line : new String(bytes, 0, end, StandardCharsets.UTF_8).split("\n")) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                TrialRecord r;
                try {
                    r = Files2.JSON.readValue(line, TrialRecord.class);
                } catch (IOException e) {
                    throw new IllegalArgumentException(file + ":" + lineNo + ": expected a trial record, found '"
                            + (line.length() > 80 ? line.substring(0, 80) + "..." : line) + "'");
                }
                (TrialRecord.DONE.equals(r.status()) ? log.done : log.started).put(r.trial(), r);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file + ": " + IoReason.of(e), e);
        }
        return log;
    }

    boolean isDone(int trial) {
        return done.containsKey(trial);
    }

    /** @return the start record of a trial that began and did not finish, or null */
    TrialRecord started(int trial) {
        return done.containsKey(trial) ? null : started.get(trial);
    }

    /** @return finished trials in trial order */
    List<TrialRecord> done() {
        return new ArrayList<>(done.values());
    }

    synchronized void append(TrialRecord r) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ch.write(ByteBuffer.wrap((Files2.JSON.writeValueAsString(r) + "\n").getBytes(StandardCharsets.UTF_8)));
            ch.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException("appending to " + file + ": " + IoReason.of(e), e);
        }
        (TrialRecord.DONE.equals(r.status()) ? done : started).put(r.trial(), r);
    }
}
