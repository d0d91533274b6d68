package io.dpo4j.data;

import java.nio.file.Path;
import java.util.Locale;

/** File formats {@link PreferenceReader} accepts. */
public enum InputFormat {
    /** One JSON object per line ({@code .jsonl}, {@code .ndjson}). */
    JSONL,
    /** One JSON array of objects ({@code .json}). */
    JSON,
    /** Comma-separated values with a header row ({@code .csv}). */
    CSV,
    /** Tab-separated values with a header row ({@code .tsv}, {@code .tab}). */
    TSV;

    /**
     * The format implied by a file's extension.
     *
     * @throws IllegalArgumentException for an unknown extension, listing the known ones
     */
    public static InputFormat fromFileName(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".jsonl") || name.endsWith(".ndjson")) {
            return JSONL;
        }
        if (name.endsWith(".json")) {
            return JSON;
        }
        if (name.endsWith(".csv")) {
            return CSV;
        }
        if (name.endsWith(".tsv") || name.endsWith(".tab")) {
            return TSV;
        }
        throw new IllegalArgumentException(file + ": cannot tell the format from the extension: expected .jsonl, "
                + ".ndjson, .json, .csv, .tsv or .tab (or pass the format explicitly)");
    }

    /** Parses {@code jsonl|json|csv|tsv} (case-insensitive). */
    public static InputFormat parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("format: expected jsonl, json, csv or tsv, found '" + name + "'", e);
        }
    }
}
