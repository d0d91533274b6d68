package io.dpo4j.data;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The file side of reading rows: JSONL (streamed), JSON (one array of objects), CSV or TSV (header row) into one
 * JSON object per row, each handed to a {@link RowMapper}. Every unusable row becomes a {@link BadRow} naming file,
 * line, field and reason: under {@link OnBadRow#FAIL} the first one is thrown as a {@link DataFormatException}; under
 * {@link OnBadRow#SKIP} all are collected. Problems with the file's structure are errors under every policy. Shared
 * by {@link PreferenceReader} (pairs) and {@link PromptReader} (prompts).
 *
 * @param <T> what one row becomes
 */
final class RowFileReader<T> {

    /** Turns one row (a JSON object; CSV rows arrive as objects of strings) into a value, or names its problem. */
    @FunctionalInterface
    interface RowMapper<T> {
        /**
         * @param row    the row
         * @param source {@code file:line} of the row
         */
        T parse(JsonNode row, String source) throws RowProblem;
    }

    /** Largest JSON / CSV / TSV file read into memory (JSONL is streamed). */
    static final long MAX_TREE_FILE_BYTES = 1L << 30;

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .build();
    /** Reads one element of a JSON array (trailing tokens are the following elements). */
    private static final ObjectMapper ELEMENTS = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY).build();

    private final String fileName;
    private final OnBadRow onBadRow;
    private final ReadLimits limits;
    private final RowMapper<T> parser;
    private final List<T> rows = new ArrayList<>();
    private final List<BadRow> skipped = new ArrayList<>();

    private RowFileReader(Path file, OnBadRow onBadRow, ReadLimits limits, RowMapper<T> parser) {
        this.fileName = file.toString();
        this.onBadRow = onBadRow;
        this.limits = limits;
        this.parser = parser;
    }

    /** What one file produced: usable rows and skipped ones, both in file order. */
    record Rows<T>(List<T> rows, List<BadRow> skipped) {
        Rows {
            rows = List.copyOf(rows);
            skipped = List.copyOf(skipped);
        }
    }

    /**
     * Reads {@code file} in {@code format}.
     *
     * @throws DataFormatException      on the first bad row under {@link OnBadRow#FAIL}, and on a problem with the
     *                                  file's structure (or too many rows) under any policy
     * @throws IllegalArgumentException when the path is not a regular file (a FIFO or device would be read twice)
     */
    static <T> Rows<T> read(Path file, InputFormat format, OnBadRow onBadRow, ReadLimits limits, String what,
                            RowMapper<T> parser) {
        requireRegularFile(file, what);
        RowFileReader<T> reader = new RowFileReader<>(file, onBadRow, limits, parser);
        try {
            switch (format) {
                case JSONL -> reader.readJsonl(file, limits.maxLineBytes());
                case JSON -> reader.readJsonArray(file);
                case CSV -> reader.readDelimited(file, ',');
                case TSV -> reader.readDelimited(file, '\t');
                default -> throw new IllegalStateException("unhandled format " + format);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return new Rows<>(reader.rows, reader.skipped);
    }

    /** Data is read more than once (rows, then checksums): a FIFO would hang and a device never ends. */
    private static void requireRegularFile(Path file, String what) {
        if (Files.isRegularFile(file)) {
            return;
        }
        if (!Files.exists(file)) {
            throw new IllegalArgumentException(file + ": expected " + what + ", found no such file");
        }
        String kind = Files.isDirectory(file) ? "a directory" : "a named pipe, socket or device";
        throw new IllegalArgumentException(file + ": expected a regular file, found " + kind
                + "; the data is read more than once (rows, then its checksum), so write it to a file first");
    }

    private void readJsonl(Path file, int maxLineBytes) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            Utf8Lines lines = new Utf8Lines(in, maxLineBytes);
            Utf8Lines.Line line;
            while ((line = lines.next()) != null) {
                if (line.error() != null) {
                    bad(line.number(), "-", line.error());
                } else if (!line.text().isBlank()) {
                    JsonNode node = parseJsonLine(line.number(), line.text());
                    if (node != null) {
                        row(line.number(), node);
                    }
                }
            }
        }
    }

    private JsonNode parseJsonLine(long lineNo, String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException | RuntimeException e) {
            bad(lineNo, "-", "expected one JSON object per line, found invalid JSON (" + firstLine(e.getMessage()) + ")");
            return null;
        }
    }

    private void readJsonArray(Path file) throws IOException {
        Utf8Lines.Decoded decoded = Utf8Lines.decodeAll(readBounded(file));
        try (JsonParser p = ELEMENTS.createParser(decoded.text())) {
            JsonToken first = p.nextToken();
            if (first != JsonToken.START_ARRAY) {
                fatal(p.currentTokenLocation().getLineNr(), "expected a JSON array of objects, found "
                        + (first == null ? "an empty file" : first.asString() == null ? first.name() : "'" + first.asString() + "'"));
                return;
            }
            JsonToken t;
            while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                if (t == null) {
                    fatal(p.currentLocation().getLineNr(), "expected ']' closing the array, found the end of the file");
                    return;
                }
                long start = p.currentTokenLocation().getLineNr();
                JsonNode node;
                try {
                    node = ELEMENTS.readTree(p);
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    boolean resynced = resyncToArray(p);
                    bad(start, "-", "expected a valid JSON object, found (" + firstLine(e.getOriginalMessage()) + ")"
                            + (resynced ? "" : "; the rest of the file is not read"));
                    if (!resynced) {
                        return;
                    }
                    continue;
                }
                long end = p.currentLocation().getLineNr();
                int badLine = decoded.badLines().nextSetBit((int) start);
                if (badLine >= 0 && badLine <= end) {
                    bad(start, "-", "expected UTF-8 text, found an invalid byte sequence on line " + badLine);
                } else {
                    row(start, node);
                }
            }
            requireEndAfterArray(p);
        } catch (IOException | RuntimeException e) {
            if (e instanceof DataFormatException dfe) {
                throw dfe;
            }
            fatal(lineOf(e), "expected a valid JSON array, found invalid JSON (" + firstLine(e.getMessage())
                    + "); the rest of the file is not read");
        }
    }

    /** RFC 8259: a JSON text is one value; a second array or any other text after the closing ']' is an error. */
    private void requireEndAfterArray(JsonParser p) {
        long closed = p.currentTokenLocation().getLineNr();
        String found;
        long line;
        try {
            JsonToken after = p.nextToken();
            if (after == null) {
                return;
            }
            line = p.currentTokenLocation().getLineNr();
            found = after == JsonToken.START_ARRAY ? "a second array"
                    : after == JsonToken.START_OBJECT ? "an object" : "'" + abbreviate(p.getText()) + "'";
        } catch (IOException | RuntimeException e) {
            line = lineOf(e);
            found = "invalid text (" + firstLine(e instanceof com.fasterxml.jackson.core.JsonProcessingException j
                    ? j.getOriginalMessage() : e.getMessage()) + ")";
        }
        structural(line, "expected nothing after the closing ']' of the array on line " + closed + ", found " + found
                + "; a .json file holds exactly one array (use .jsonl for one object per line)");
    }

    private static String abbreviate(String s) {
        return s == null ? "" : RowParser.abbreviate(s);
    }

    /** After a bad element (e.g. a duplicate key), moves to the end of that element; false if that fails. */
    private static boolean resyncToArray(JsonParser p) {
        try {
            for (int guard = 0; guard < 10_000_000; guard++) {
                var ctx = p.getParsingContext();
                if (ctx.inArray() && ctx.getParent() != null && ctx.getParent().inRoot()) {
                    return true;
                }
                if (p.nextToken() == null) {
                    return false;
                }
            }
            return false;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private void readDelimited(Path file, char separator) throws IOException {
        Utf8Lines.Decoded decoded = Utf8Lines.decodeAll(readBounded(file));
        CsvMapper mapper = new CsvMapper();
        mapper.enable(CsvParser.Feature.SKIP_EMPTY_LINES);
        CsvSchema schema = CsvSchema.emptySchema().withHeader().withColumnSeparator(separator);
        if (separator == '\t') {
            schema = schema.withoutQuoteChar();
        }
        if (separator != '\t') {
            CsvQuotes.Open open = CsvQuotes.unclosed(decoded.text(), separator);
            if (open != null) {
                structural(open.line(), "expected a closing '\"', found the end of the file: the quote opened on line "
                        + open.line() + " (column " + open.column() + ") is never closed and swallows every following "
                        + "row; close it or double it (\"\") if it is part of the text");
            }
        }
        try (JsonParser p = mapper.readerFor(JsonNode.class).with(schema).createParser(decoded.text())) {
            JsonToken t;
            List<String> header = null;
            while ((t = nextRow(p)) != null) {
                if (t != JsonToken.START_OBJECT) {
                    continue;
                }
                if (header == null) {
                    header = checkHeader(((CsvParser) p).getSchema());
                }
                long start = p.currentLocation().getLineNr(); // at START_OBJECT: the row's first line
                JsonNode node = readCsvRow(p, start);
                if (node != null && isHeaderRepeat(node, header)) {
                    bad(start, "-", "expected a data row, found a repeat of the header line (concatenated files?)");
                    continue;
                }
                var at = p.currentLocation(); // after the row's line break: column 1 of the next line
                long end = Math.max(start, at.getColumnNr() <= 1 ? at.getLineNr() - 1 : at.getLineNr());
                int badLine = decoded.badLines().nextSetBit((int) start);
                if (node == null) {
                    continue;
                }
                if (badLine >= 0 && badLine <= end) {
                    bad(start, "-", "expected UTF-8 text, found an invalid byte sequence on line " + badLine);
                } else {
                    row(start, node);
                }
            }
        }
    }

    /** Duplicate column names would silently overwrite each other; returns the names in order. */
    private List<String> checkHeader(CsvSchema schema) {
        List<String> names = new ArrayList<>();
        for (CsvSchema.Column c : schema) {
            int first = names.indexOf(c.getName());
            if (first >= 0) {
                structural(1, "expected distinct column names, found '" + abbreviate(c.getName()) + "' twice (columns "
                        + (first + 1) + " and " + (names.size() + 1) + ") in the header");
            }
            names.add(c.getName());
        }
        return names;
    }

    private static boolean isHeaderRepeat(JsonNode row, List<String> header) {
        if (row.size() != header.size()) {
            return false;
        }
        for (String name : header) {
            if (!name.equals(row.path(name).asText(null))) {
                return false;
            }
        }
        return true;
    }

    private JsonToken nextRow(JsonParser p) throws IOException {
        try {
            return p.nextToken();
        } catch (IOException | RuntimeException e) {
            fatal(lineOf(e), "expected a well-formed " + (fileName.endsWith(".tsv") ? "TSV" : "CSV") + " row, found ("
                    + firstLine(e.getMessage()) + "); the rest of the file is not read");
            return null;
        }
    }

    private JsonNode readCsvRow(JsonParser p, long start) throws IOException {
        try {
            ObjectNode node = JSON.createObjectNode();
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                node.put(name, p.getText());
            }
            return node;
        } catch (IOException | RuntimeException e) {
            bad(start, "-", "expected a row matching the header, found (" + firstLine(e.getMessage()) + ")");
            skipToRowEnd(p);
            return null;
        }
    }

    private static void skipToRowEnd(JsonParser p) {
        try {
            JsonToken t;
            while ((t = p.nextToken()) != null && t != JsonToken.END_OBJECT) {
                // discard the rest of the broken row
            }
        } catch (IOException | RuntimeException e) {
            // the next nextRow() call reports if the parser cannot go on
        }
    }

    private static byte[] readBounded(Path file) throws IOException {
        long size = Files.size(file);
        if (size > MAX_TREE_FILE_BYTES) {
            throw new IOException("expected at most " + MAX_TREE_FILE_BYTES + " bytes for a JSON/CSV/TSV file, found "
                    + size + " bytes; convert it to JSONL, which is streamed");
        }
        return Files.readAllBytes(file);
    }

    private void row(long line, JsonNode node) {
        String source = fileName + ":" + line;
        try {
            rows.add(parser.parse(node, source));
            checkRowCount(line);
        } catch (RowProblem e) {
            bad(line, e.field(), e.reason());
        } catch (TemplateLimitException e) { // the template, not the row: every following row would fail too
            throw e;
        } catch (RuntimeException e) { // never crash on a row: anything unexpected is a bad row too
            bad(line, "-", "expected a row that can be read, found one that fails internally ("
                    + firstLine(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")");
        }
    }

    private void bad(long line, String field, String reason) {
        BadRow row = new BadRow(fileName, Math.max(1, line), field, reason);
        if (onBadRow == OnBadRow.FAIL) {
            throw new DataFormatException(row);
        }
        skipped.add(row);
        checkRowCount(line);
    }

    private void checkRowCount(long line) {
        long count = (long) rows.size() + skipped.size();
        if (count > limits.maxRows()) {
            structural(line, "expected at most " + limits.maxRows() + " rows, found more; raise --max-rows "
                    + "or split the file");
        }
    }

    private void fatal(long line, String reason) {
        bad(line, "-", reason);
    }

    /** A problem with the file's structure (not one row): an error under every {@link OnBadRow} policy. */
    private void structural(long line, String reason) {
        throw new DataFormatException(new BadRow(fileName, Math.max(1, line), "-", reason));
    }

    private static long lineOf(Exception e) {
        if (e instanceof com.fasterxml.jackson.core.JsonProcessingException j && j.getLocation() != null) {
            return j.getLocation().getLineNr();
        }
        return 1;
    }

    static String firstLine(String message) {
        if (message == null) {
            return "no detail";
        }
        String first = message.lines().findFirst().orElse("");
        return RowParser.escape(first.length() > 200 ? first.substring(0, 200) + "..." : first);
    }
}
