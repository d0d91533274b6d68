package io.dpo4j.judge;

import com.fasterxml.jackson.databind.JsonNode;
import io.dpo4j.util.Files2;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The contents of a judge directory's {@code judge.json}, validated strictly: unknown fields, missing required
 * fields and wrong types fail with the file and the field named.
 *
 * <pre>{@code
 * {
 *   "format": "dpo4j-judge/1",                       // required, exactly this
 *   "model": "model.onnx",                           // optional (default), a file inside the directory
 *   "tokenizer": "tokenizer.json",                   // optional (default), HF tokenizers format, inside the directory
 *   "text": "completion",                            // required: "completion" or "prompt+completion" (concatenated)
 *   "inputs": {"input_ids": "input_ids",             // required: graph input names; attention_mask and
 *              "attention_mask": "attention_mask"},  //   token_type_ids (zeros) optional; every graph input mapped
 *   "prefix_ids": [], "suffix_ids": [],              // optional: ids put around the tokenized text (e.g. CLS, SEP)
 *   "max_length": 128,                               // required: ids per row, prefix and suffix included
 *   "truncation": "keep_start",                      // required: keep_start or keep_end of the tokenized text
 *   "pad_id": 0,                                     // required: id of padding (rows are right-padded, mask 0)
 *   "batch_size": 32,                                // optional: rows per ORT run
 *   "output": "logits",                              // required: the graph output, (B, C) or (B) / (B, 1)
 *   "score": "logit_margin",                         // required: logit_margin | log_prob | logit
 *   "positive_index": 1,                             // required for logit_margin and log_prob, absent for logit
 *   "description": "..."                             // optional, free text
 * }
 * }</pre>
 *
 * @param model          the ONNX file name, inside the directory
 * @param tokenizer      the tokenizer.json file name, inside the directory
 * @param text           which text is tokenized
 * @param inputIds       graph input fed the token ids (int64, (B, T))
 * @param attentionMask  graph input fed the mask (int64, (B, T)), or null
 * @param tokenTypeIds   graph input fed zeros (int64, (B, T)), or null
 * @param prefixIds      ids before the text
 * @param suffixIds      ids after the text
 * @param maxLength      ids per row at most
 * @param keepEnd        keep the end of a too-long text instead of its start
 * @param padId          padding id
 * @param batchSize      rows per run
 * @param output         the graph output read
 * @param score          how a row's outputs become one score
 * @param positiveIndex  the label scored (−1 for {@link ScoreKind#LOGIT})
 */
public record JudgeConfig(String model, String tokenizer, TextSource text, String inputIds, String attentionMask,
                          String tokenTypeIds, List<Long> prefixIds, List<Long> suffixIds, int maxLength,
                          boolean keepEnd, long padId, int batchSize, String output, ScoreKind score,
                          int positiveIndex) {
    /** The only {@code format} value read. */
    public static final String FORMAT = "dpo4j-judge/1";

    private static final Set<String> FIELDS = Set.of("format", "model", "tokenizer", "text", "inputs", "prefix_ids",
            "suffix_ids", "max_length", "truncation", "pad_id", "batch_size", "output", "score", "positive_index",
            "description");
    private static final Set<String> INPUT_FIELDS = Set.of("input_ids", "attention_mask", "token_type_ids");

    /** Which text the classifier reads. */
    public enum TextSource {
        /** The completion alone. */
        COMPLETION("completion"),
        /** The prompt followed by the completion, as one string. */
        PROMPT_COMPLETION("prompt+completion");

        private final String json;

        TextSource(String json) {
            this.json = json;
        }

        /** The text of the candidate this source reads. */
        public String of(Candidate c) {
            return this == COMPLETION ? c.completion() : c.prompt() + c.completion();
        }
    }

    /** How one row of the output becomes a score. */
    public enum ScoreKind {
        /** {@code z_p − logsumexp_{j≠p} z_j}: the log-odds of label p (for two labels, {@code z_p − z_other}). */
        LOGIT_MARGIN("logit_margin"),
        /** {@code z_p − logsumexp_j z_j}: the log-probability of label p. */
        LOG_PROB("log_prob"),
        /** The single output value of a reward model, (B) or (B, 1). */
        LOGIT("logit");

        private final String json;

        ScoreKind(String json) {
            this.json = json;
        }

        /** The score of one output row {@code z} (the C logits of one candidate). */
        public double of(float[] z, int offset, int count, int positive) {
            if (this == LOGIT) {
                return z[offset];
            }
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < count; j++) {
                if (this == LOG_PROB || j != positive) {
                    max = Math.max(max, z[offset + j]);
                }
            }
            double sum = 0;
            for (int j = 0; j < count; j++) {
                if (this == LOG_PROB || j != positive) {
                    sum += Math.exp(z[offset + j] - max);
                }
            }
            return z[offset + positive] - (max + Math.log(sum));
        }
    }

    /** Validates the ranges; messages name the judge.json field. */
    public JudgeConfig {
        prefixIds = List.copyOf(prefixIds);
        suffixIds = List.copyOf(suffixIds);
        if (maxLength <= prefixIds.size() + suffixIds.size()) {
            throw new IllegalArgumentException("judge.json max_length: expected more than the " + (prefixIds.size()
                    + suffixIds.size()) + " prefix/suffix ids (room for text), found " + maxLength);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("judge.json batch_size: expected >= 1, found " + batchSize);
        }
        if (padId < 0) {
            throw new IllegalArgumentException("judge.json pad_id: expected >= 0, found " + padId);
        }
        if (score == ScoreKind.LOGIT ? positiveIndex != -1 : positiveIndex < 0) {
            throw new IllegalArgumentException("judge.json positive_index: expected "
                    + (score == ScoreKind.LOGIT ? "no positive_index with score logit" : "an index >= 0 with score "
                    + score.json) + ", found " + positiveIndex);
        }
    }

    /** Graph input names this config feeds, to check against the model's. */
    public List<String> inputNames() {
        List<String> names = new ArrayList<>(List.of(inputIds));
        if (attentionMask != null) {
            names.add(attentionMask);
        }
        if (tokenTypeIds != null) {
            names.add(tokenTypeIds);
        }
        return names;
    }

    /**
     * Reads and validates {@code judge.json}.
     *
     * @throws IllegalArgumentException naming the file and the field
     */
    public static JudgeConfig read(Path file) {
        JsonNode root;
        try {
            root = Files2.JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read the judge config: " + e.getMessage(), e);
        }
        try {
            return parse(root);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** Validates a parsed judge.json (messages name the field, not the file). */
    static JudgeConfig parse(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("expected a JSON object, found " + (root == null ? "nothing"
                    : root.getNodeType()));
        }
        unknown(root, FIELDS, "");
        String format = string(root, "format", null);
        if (!FORMAT.equals(format)) {
            throw new IllegalArgumentException("format: expected \"" + FORMAT + "\", found \"" + format + "\"");
        }
        string(root, "description", "");
        JsonNode inputs = root.get("inputs");
        if (inputs == null || !inputs.isObject()) {
            throw new IllegalArgumentException("inputs: expected an object {\"input_ids\": NAME, ...}, found "
                    + (inputs == null ? "nothing" : inputs.getNodeType()));
        }
        unknown(inputs, INPUT_FIELDS, "inputs.");
        ScoreKind score = choice(root, "score", ScoreKind.values());
        return new JudgeConfig(string(root, "model", "model.onnx"), string(root, "tokenizer", "tokenizer.json"),
                choice(root, "text", TextSource.values()), string(inputs, "input_ids", null, "inputs."),
                string(inputs, "attention_mask", "", "inputs.").transform(s -> s.isEmpty() ? null : s),
                string(inputs, "token_type_ids", "", "inputs.").transform(s -> s.isEmpty() ? null : s),
                ids(root, "prefix_ids"), ids(root, "suffix_ids"), (int) integer(root, "max_length", null),
                truncation(root), integer(root, "pad_id", null), (int) integer(root, "batch_size", 32L),
                string(root, "output", null), score,
                root.has("positive_index") ? (int) integer(root, "positive_index", null) : -1);
    }

    private static boolean truncation(JsonNode root) {
        String t = string(root, "truncation", null);
        if (!t.equals("keep_start") && !t.equals("keep_end")) {
            throw new IllegalArgumentException("truncation: expected one of [keep_start, keep_end], found \"" + t
                    + "\"");
        }
        return t.equals("keep_end");
    }

    private static void unknown(JsonNode obj, Set<String> known, String prefix) {
        for (Iterator<String> it = obj.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f)) {
                throw new IllegalArgumentException(prefix + f + ": unknown field; expected one of "
                        + known.stream().sorted().toList());
            }
        }
    }

    private static String string(JsonNode obj, String field, String dflt) {
        return string(obj, field, dflt, "");
    }

    private static String string(JsonNode obj, String field, String dflt, String prefix) {
        JsonNode n = obj.get(field);
        if (n == null) {
            if (dflt == null) {
                throw new IllegalArgumentException(prefix + field + ": required field is missing");
            }
            return dflt;
        }
        if (!n.isTextual() || n.asText().isEmpty()) {
            throw new IllegalArgumentException(prefix + field + ": expected a non-empty string, found " + n);
        }
        return n.asText();
    }

    private static long integer(JsonNode obj, String field, Long dflt) {
        JsonNode n = obj.get(field);
        if (n == null) {
            if (dflt == null) {
                throw new IllegalArgumentException(field + ": required field is missing");
            }
            return dflt;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw new IllegalArgumentException(field + ": expected an integer, found " + n);
        }
        return n.asLong();
    }

    private static List<Long> ids(JsonNode obj, String field) {
        JsonNode n = obj.get(field);
        if (n == null) {
            return List.of();
        }
        if (!n.isArray()) {
            throw new IllegalArgumentException(field + ": expected an array of token ids, found " + n);
        }
        List<Long> out = new ArrayList<>();
        for (JsonNode e : n) {
            if (!e.isIntegralNumber() || !e.canConvertToInt() || e.asLong() < 0) {
                throw new IllegalArgumentException(field + ": expected token ids >= 0, found " + e);
            }
            out.add(e.asLong());
        }
        return out;
    }

    private static <E extends Enum<E>> E choice(JsonNode obj, String field, E[] values) {
        String s = string(obj, field, null);
        List<String> valid = new ArrayList<>();
        for (E v : values) {
            String json = v instanceof TextSource t ? t.json : ((ScoreKind) v).json;
            if (json.equals(s)) {
                return v;
            }
            valid.add(json);
        }
        throw new IllegalArgumentException(field + ": expected one of " + valid + ", found \"" + s + "\"");
    }
}
