package io.dpo4j.train;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/** Appends one JSON object per logged step or evaluation to {@code metrics.jsonl}, flushed per line. */
public final class MetricsLog implements AutoCloseable {
    private static final com.fasterxml.jackson.databind.ObjectMapper MAPPER = new com.fasterxml.jackson.databind.ObjectMapper();
    private final BufferedWriter out;
    private final Path file;

    /** @param file the JSONL file; created or appended to (a resumed run appends) */
    public MetricsLog(Path file, boolean append) {
        this.file = file;
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + file + ": " + io.dpo4j.util.IoReason.of(e), e);
        }
    }

    /**
     * Writes a record: {@code step}, {@code epoch}, then the metrics, each key prefixed by {@code prefix}
     * ({@code ""} for training, {@code "eval_"} for evaluation, as TRL names them).
     */
    public void write(long step, double epoch, String prefix, Map<String, Double> metrics) {
        Map<String, Object> rec = new LinkedHashMap<>();
        rec.put("step", step);
        rec.put("epoch", epoch);
        metrics.forEach((k, v) -> rec.put(prefix + k, v));
        try {
            out.write(MAPPER.writeValueAsString(rec));
            out.newLine();
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + io.dpo4j.util.IoReason.of(e), e);
        }
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException("closing " + file, e);
        }
    }
}
