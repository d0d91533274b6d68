package io.dpo4j.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;


/**
 * Reads preference pairs from JSONL, JSON (array of objects), CSV or TSV (header row) files ({@link RowFileReader}
 * reads the rows, {@link RowParser} turns each into a pair). Every unusable row
 * becomes a {@link BadRow} naming file, line, field and reason: under {@link OnBadRow#FAIL} the first one is thrown
 * as a {@link DataFormatException}; under {@link OnBadRow#SKIP} all are collected (and written to the skip report).
 */
public final class PreferenceReader {

    private PreferenceReader() {}

    /** Reads a file whose format is given by its extension (see {@link InputFormat#fromFileName}). */
    public static ReadResult read(Path file, DataOptions opts, ChatTemplate templateOrNull) {
        return read(file, InputFormat.fromFileName(file), opts, templateOrNull);
    }

    /**
     * Reads a file in an explicit format.
     *
     * @throws DataFormatException      on the first bad row under {@link OnBadRow#FAIL}, and on a problem with the
     *                                  file's structure (or too many rows) under any policy
     * @throws IllegalArgumentException when the path is not a regular file (a FIFO or device would be read twice)
     */
    public static ReadResult read(Path file, InputFormat format, DataOptions opts, ChatTemplate templateOrNull) {
        RowParser parser = new RowParser(opts.fields(), templateOrNull, opts.limits().maxPromptChars());
        RowFileReader.Rows<PreferencePair> rows = RowFileReader.read(file, format, opts.onBadRow(), opts.limits(),
                "a preference data file", parser::parse);
        ReadResult result = new ReadResult(rows.rows(), rows.skipped());
        if (opts.skipReport() != null) {
            SkipReport.write(opts.skipReport(), List.of(file), result.skipped());
        }
        return result;
    }

    /**
     * Reads several files of one run (training and held-out data) with one skip report listing the skipped rows of
     * all of them (each row names its file), written once after every file was read.
     *
     * @return one result per file, in order
     */
    public static List<ReadResult> readAll(List<Path> files, DataOptions opts, ChatTemplate templateOrNull) {
        DataOptions withoutReport = opts.withOnBadRow(opts.onBadRow(), null);
        List<ReadResult> out = new ArrayList<>();
        List<BadRow> skipped = new ArrayList<>();
        for (Path f : files) {
            ReadResult r = read(f, withoutReport, templateOrNull);
            out.add(r);
            skipped.addAll(r.skipped());
        }
        if (opts.skipReport() != null) {
            SkipReport.write(opts.skipReport(), files, skipped);
        }
        return out;
    }

    static ReadResult read(Path file, InputFormat format, DataOptions opts, ChatTemplate template, int maxLineBytes) {
        return read(file, format, opts.withLimits(opts.limits().withMaxLineBytes(maxLineBytes)), template);
    }

}
