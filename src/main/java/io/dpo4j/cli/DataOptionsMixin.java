package io.dpo4j.cli;

import io.dpo4j.data.DataOptions;
import io.dpo4j.data.FieldNames;
import io.dpo4j.data.OnBadRow;
import io.dpo4j.data.ReadLimits;
import io.dpo4j.data.TruncationMode;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Option;

/** Reading and tokenization options shared by {@code train}, {@code eval}. */
final class DataOptionsMixin {
    @Option(names = "--max-length", defaultValue = DataOptions.DEFAULT_MAX_LENGTH,
            description = "Longest prompt+completion in tokens. Default: ${DEFAULT-VALUE}.")
    int maxLength;

    @Option(names = "--max-prompt-length", defaultValue = DataOptions.DEFAULT_MAX_PROMPT_LENGTH,
            description = "Prompt token budget. Default: ${DEFAULT-VALUE}.")
    int maxPromptLength;

    @Option(names = "--truncation-mode", defaultValue = "keep_end",
            description = "Which part of a long prompt survives: keep_end or keep_start. Default: ${DEFAULT-VALUE}.")
    String truncationMode;

    @Option(names = "--on-bad-row", defaultValue = "fail",
            description = "fail: stop at the first bad row with file:line, field and reason; skip: count, report and "
                    + "go on. Default: ${DEFAULT-VALUE}.")
    String onBadRow;

    @Option(names = "--skip-report", description = "JSONL report of skipped rows (with --on-bad-row skip), written "
            + "to a temporary file and renamed; must not be an input file. Default: none.")
    Path skipReport;

    @Option(names = "--prompt-field", paramLabel = "NAME",
            description = "Field (column) holding the prompt. Default: prompt, and a row without it (and without a "
                    + "prompt-like field) uses the implicit-prompt layout; naming the field turns that off.")
    String promptField;

    @Option(names = "--chosen-field", defaultValue = "chosen",
            description = "Field holding the preferred completion. Default: ${DEFAULT-VALUE}.")
    String chosenField;

    @Option(names = "--rejected-field", defaultValue = "rejected",
            description = "Field holding the dispreferred completion. Default: ${DEFAULT-VALUE}.")
    String rejectedField;

    @Option(names = "--preference-field", defaultValue = "preference",
            description = "Optional soft label P(chosen preferred) in [0,1]. Default: ${DEFAULT-VALUE}.")
    String preferenceField;

    @Option(names = "--weight-field", defaultValue = "weight", description = "Optional per-pair weight. Default: ${DEFAULT-VALUE}.")
    String weightField;

    @Option(names = "--id-field", defaultValue = "id", description = "Optional row id. Default: ${DEFAULT-VALUE}.")
    String idField;

    @Option(names = "--max-line-bytes", paramLabel = "N", defaultValue = "67108864",
            description = "Longest JSONL line in bytes; a longer line is a bad row. Default: ${DEFAULT-VALUE} (64 MiB).")
    int maxLineBytes;

    @Option(names = "--max-rows", paramLabel = "N", defaultValue = "10000000",
            description = "Most rows (usable and bad) per data file; more stops the run. Default: ${DEFAULT-VALUE}.")
    long maxRows;

    @Option(names = "--max-prompt-chars", paramLabel = "N", defaultValue = "1000000",
            description = "Longest prompt (and each completion) in characters, checked before tokenization; a longer "
                    + "one is a bad row. Default: ${DEFAULT-VALUE}.")
    int maxPromptChars;

    /** @return validated data options */
    DataOptions toOptions() {
        FieldNames fields = new FieldNames(promptField == null ? FieldNames.DEFAULTS.prompt() : promptField,
                chosenField, rejectedField, preferenceField, weightField, idField, promptField == null);
        return new DataOptions(fields, parse(OnBadRow.class, onBadRow, "--on-bad-row"), skipReport, maxLength,
                maxPromptLength, parse(TruncationMode.class, truncationMode, "--truncation-mode"),
                new ReadLimits(maxLineBytes, maxRows, maxPromptChars));
    }

    static <E extends Enum<E>> E parse(Class<E> type, String value, String option) {
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(value.replace('-', '_'))) {
                return e;
            }
        }
        StringBuilder valid = new StringBuilder();
        for (E e : type.getEnumConstants()) {
            valid.append(valid.length() == 0 ? "" : ", ").append(e.name().toLowerCase(Locale.ROOT));
        }
        throw new IllegalArgumentException(option + ": unknown value '" + value + "'; valid: " + valid);
    }
}
