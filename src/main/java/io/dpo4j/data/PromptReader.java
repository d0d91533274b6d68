package io.dpo4j.data;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Reads prompts (for generation, e.g. {@code dpo4j iterate}) from the same formats as preference data: JSONL, JSON
 * (an array of objects), CSV or TSV with a header row, one prompt per row in a named field. A preference file works
 * too (its other fields are ignored). Bad rows are reported like preference rows ({@code file:line: field 'prompt':
 * reason}): a missing or non-string field, a blank prompt, an unpaired surrogate, a prompt over
 * {@link ReadLimits#maxPromptChars()}.
 */
public final class PromptReader {

    /** Field holding the prompt when none is named. */
    public static final String DEFAULT_FIELD = "prompt";

    private PromptReader() {}

    /**
     * What a file held.
     *
     * @param prompts usable prompts, in file order
     * @param skipped rows skipped under {@link OnBadRow#SKIP} (always empty under FAIL)
     */
    public record Result(List<Prompt> prompts, List<BadRow> skipped) {
        /** Copies both lists. */
        public Result {
            prompts = List.copyOf(prompts);
            skipped = List.copyOf(skipped);
        }
    }

    /**
     * Reads {@code file}, its format from the extension ({@link InputFormat#fromFileName}).
     *
     * @param field    the field (column) holding the prompt
     * @param idField  optional field holding a row id (the row's {@code file:line} when absent)
     * @param onBadRow fail at the first bad row, or skip and collect them
     * @param limits   line, row and character limits
     * @throws DataFormatException      on the first bad row under FAIL, and on a structural problem of the file
     * @throws IllegalArgumentException when the file is not a regular file or its extension is unknown
     */
    public static Result read(Path file, String field, String idField, OnBadRow onBadRow, ReadLimits limits) {
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(idField, "idField");
        RowFileReader.Rows<Prompt> rows = RowFileReader.read(file, InputFormat.fromFileName(file), onBadRow, limits,
                "a prompt file", (row, source) -> parse(row, source, field, idField, limits.maxPromptChars()));
        return new Result(rows.rows(), rows.skipped());
    }

    /** @return the prompt of one row; the problem names the field */
    static Prompt parse(JsonNode row, String source, String field, String idField, int maxChars) throws RowProblem {
        if (row == null || !row.isObject()) {
            throw new RowProblem("-", "expected a JSON object, found " + RowParser.kind(row));
        }
        JsonNode n = row.get(field);
        if (n != null && n.isArray()) {
            throw new RowProblem(field, "expected a string, found a list (conversational prompts are not supported "
                    + "here; render them to text first)");
        }
        String text = RowParser.string(field, n);
        if (text.length() > maxChars) {
            throw new RowProblem(field, "expected at most " + maxChars + " characters, found " + text.length()
                    + "; raise --max-prompt-chars or shorten the text");
        }
        if (RowParser.isBlank(text)) {
            throw new RowProblem(field, "expected a non-empty prompt, found "
                    + (text.isEmpty() ? "an empty one" : "only whitespace or invisible characters"));
        }
        JsonNode id = row.get(idField);
        String idText = source;
        if (id != null && !id.isNull() && !(id.isTextual() && id.asText().isEmpty())) {
            if (!id.isTextual() && !id.isNumber()) {
                throw new RowProblem(idField, "expected a string or number, found " + RowParser.kind(id));
            }
            idText = id.asText();
        }
        return new Prompt(idText, text, source);
    }
}
