package io.dpo4j.data;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Turns one parsed row (a JSON object; CSV rows arrive as objects of strings) into a {@link PreferencePair}.
 * Layouts: standard (string prompt/chosen/rejected), implicit prompt (no prompt field), conversational (lists of
 * {@code {role, content}} messages rendered by a {@link ChatTemplate}); with default field names the seed columns
 * {@code preferred_response} / {@code non_preferred_response} stand in for chosen / rejected.
 */
final class RowParser {

    static final String SEED_CHOSEN = "preferred_response";
    static final String SEED_REJECTED = "non_preferred_response";

    /** Largest per-pair weight: the loss is computed in float32. */
    static final double MAX_WEIGHT = Float.MAX_VALUE;
    private static final String PROBABILITY = "a probability in [0, 1]";
    private static final String WEIGHT = "a finite number >= 0 and <= " + (float) MAX_WEIGHT + " (float32)";

    /** Keys that hold a prompt under another name: a row with one of them never falls back to the implicit layout. */
    private static final Set<String> PROMPT_LIKE = Set.of("prompt", "prompts", "question", "instruction", "query",
            "input", "context", "system", "user", "human");

    private final FieldNames names;
    private final ChatTemplate template;
    private final int maxChars;

    RowParser(FieldNames names, ChatTemplate template, int maxChars) {
        this.names = names;
        this.template = template;
        this.maxChars = maxChars;
    }

    PreferencePair parse(JsonNode row, String source) throws RowProblem {
        if (row == null || !row.isObject()) {
            throw new RowProblem("-", "expected a JSON object, found " + kind(row));
        }
        String chosenName = resolve(row, names.chosen(), SEED_CHOSEN);
        String rejectedName = resolve(row, names.rejected(), SEED_REJECTED);
        JsonNode chosen = required(row, chosenName);
        JsonNode rejected = required(row, rejectedName);
        JsonNode prompt = prompt(row);
        checkLength(chosenName, chosen);
        checkLength(rejectedName, rejected);
        checkLength(names.prompt(), prompt);
        boolean conversational = chosen.isArray() || rejected.isArray() || (prompt != null && prompt.isArray());
        String[] texts = conversational
                ? conversational(prompt, chosen, chosenName, rejected, rejectedName)
                : plain(prompt, chosen, chosenName, rejected, rejectedName);
        checkText(chosenName, texts[1]);
        checkText(rejectedName, texts[2]);
        if (texts[1].equals(texts[2])) {
            throw new RowProblem(rejectedName, "expected a completion different from chosen, found the identical text");
        }
        double prefProb = optionalNumber(row, names.prefProb(), 1.0, PROBABILITY);
        if (!(prefProb >= 0.0 && prefProb <= 1.0)) {
            throw new RowProblem(names.prefProb(), "expected " + PROBABILITY + ", found " + number(row, names.prefProb()));
        }
        double weight = optionalNumber(row, names.weight(), 1.0, WEIGHT);
        if (!(weight >= 0.0 && weight <= MAX_WEIGHT)) {
            throw new RowProblem(names.weight(), "expected " + WEIGHT + ", found " + number(row, names.weight()));
        }
        weight += 0.0; // -0 is 0
        return new PreferencePair(id(row, names.id(), source), texts[0], texts[1], texts[2], prefProb, weight, source);
    }

    private String resolve(JsonNode row, String name, String seedName) {
        if (!row.has(name) && names.isDefault() && row.has(seedName)) {
            return seedName;
        }
        return name;
    }

    /**
     * The prompt field, or {@code null} for the implicit-prompt layout: only when the row has no prompt field at
     * all, the user did not name one, and no key looks like a misnamed prompt.
     */
    private JsonNode prompt(JsonNode row) throws RowProblem {
        JsonNode n = row.get(names.prompt());
        if (n != null) {
            if (n.isNull()) {
                throw new RowProblem(names.prompt(), "expected a string or a list of messages, found null (a row "
                        + "without a prompt uses the implicit-prompt layout only when the field is absent)");
            }
            return n;
        }
        if (!names.promptOptional()) {
            throw new RowProblem(names.prompt(), "expected a value, found no such field (the prompt field was "
                    + "named with --prompt-field, so the implicit-prompt layout is off)");
        }
        for (var it = row.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            String k = key.strip().toLowerCase(Locale.ROOT);
            if (k.equals(names.prompt().toLowerCase(Locale.ROOT)) || PROMPT_LIKE.contains(k)) {
                throw new RowProblem(names.prompt(), "expected a field '" + names.prompt() + "' (or no prompt-like "
                        + "field for the implicit-prompt layout), found '" + abbreviate(key) + "'; name it with "
                        + "--prompt-field");
            }
        }
        return null;
    }

    /** Refuses huge texts before any rendering or tokenization. */
    private void checkLength(String field, JsonNode n) throws RowProblem {
        if (n == null) {
            return;
        }
        long chars = 0;
        if (n.isTextual()) {
            chars = n.asText().length();
        } else if (n.isArray()) {
            for (JsonNode m : n) {
                JsonNode content = m.get("content");
                chars += content != null && content.isTextual() ? content.asText().length() : 0;
            }
        }
        if (chars > maxChars) {
            throw new RowProblem(field, "expected at most " + maxChars + " characters, found " + chars
                    + "; raise --max-prompt-chars or shorten the text");
        }
    }

    private static JsonNode required(JsonNode row, String name) throws RowProblem {
        JsonNode n = row.get(name);
        if (n == null || n.isNull()) {
            throw new RowProblem(name, "expected a value, found " + (n == null ? "no such field" : "null"));
        }
        return n;
    }

    private String[] plain(JsonNode prompt, JsonNode chosen, String chosenName, JsonNode rejected, String rejectedName)
            throws RowProblem {
        String c = string(chosenName, chosen);
        String r = string(rejectedName, rejected);
        if (prompt != null) {
            return new String[] {string(names.prompt(), prompt), c, r};
        }
        ImplicitPrompt.Parts parts = ImplicitPrompt.split(c, r);
        return new String[] {parts.prompt(), parts.chosen(), parts.rejected()};
    }

    private String[] conversational(JsonNode prompt, JsonNode chosen, String chosenName, JsonNode rejected,
                                    String rejectedName) throws RowProblem {
        List<Message> c = messages(chosenName, chosen);
        List<Message> r = messages(rejectedName, rejected);
        List<Message> p;
        if (prompt != null) {
            p = messages(names.prompt(), prompt);
        } else { // implicit: the shared leading messages are the prompt
            int k = 0;
            while (k < c.size() && k < r.size() && c.get(k).equals(r.get(k))) {
                k++;
            }
            p = c.subList(0, k);
            c = c.subList(k, c.size());
            r = r.subList(k, r.size());
        }
        if (template == null) {
            throw new RowProblem(names.prompt(), "expected a chat template for a conversational row (lists of "
                    + "messages), found none (tokenizer_config.json has no chat_template)");
        }
        if (c.isEmpty() || r.isEmpty()) {
            throw new RowProblem(c.isEmpty() ? chosenName : rejectedName, "expected at least one message after the prompt, found none");
        }
        String promptText = render(names.prompt(), p, true);
        if (promptText.length() > maxChars) {
            throw new RowProblem(names.prompt(), "expected at most " + maxChars + " characters, found " + promptText.length()
                    + " in the rendered prompt; raise --max-prompt-chars or shorten the conversation");
        }
        return new String[] {promptText, completion(chosenName, p, c, promptText),
            completion(rejectedName, p, r, promptText)};
    }

    private String completion(String field, List<Message> prompt, List<Message> answer, String promptText)
            throws RowProblem {
        List<Message> all = new ArrayList<>(prompt);
        all.addAll(answer);
        String full = render(field, all, false);
        if (!full.startsWith(promptText)) {
            throw new RowProblem(field, "expected the rendered conversation to start with the rendered prompt, found "
                    + "a different prefix (chat template is not prefix-stable)");
        }
        return full.substring(promptText.length());
    }

    private String render(String field, List<Message> msgs, boolean generationPrompt) throws RowProblem {
        try {
            return template.render(msgs, generationPrompt);
        } catch (IllegalArgumentException e) {
            throw new RowProblem(field, e.getMessage());
        }
    }

    private static List<Message> messages(String field, JsonNode n) throws RowProblem {
        if (!n.isArray()) {
            throw new RowProblem(field, "expected a list of {role, content} messages like the other fields, found " + kind(n));
        }
        List<Message> out = new ArrayList<>(n.size());
        for (int i = 0; i < n.size(); i++) {
            JsonNode m = n.get(i);
            if (!m.isObject()) {
                throw new RowProblem(field + "[" + i + "]", "expected a {role, content} object, found " + kind(m));
            }
            String role = string(field + "[" + i + "].role", m.get("role"));
            if (role.isBlank()) {
                throw new RowProblem(field + "[" + i + "].role", "expected a non-blank role, found ''");
            }
            out.add(new Message(role, string(field + "[" + i + "].content", m.get("content"))));
        }
        return out;
    }

    static String string(String field, JsonNode n) throws RowProblem {
        if (n == null || !n.isTextual()) {
            throw new RowProblem(field, "expected a string, found " + kind(n));
        }
        String s = n.asText();
        if (hasLoneSurrogate(s)) {
            throw new RowProblem(field, "expected valid Unicode text, found an unpaired surrogate code unit");
        }
        return s;
    }

    private static void checkText(String field, String text) throws RowProblem {
        if (isBlank(text)) {
            throw new RowProblem(field, "expected a non-empty completion, found "
                    + (text.isEmpty() ? "an empty one" : "only whitespace or invisible characters"));
        }
    }

    /**
     * Blank in the Unicode sense: {@link String#isBlank} misses the no-break spaces (U+00A0, U+2007, U+202F), so
     * {@link Character#isSpaceChar} is asked too, and zero-width characters count as blank.
     */
    static boolean isBlank(String text) {
        return text.codePoints().allMatch(c -> Character.isWhitespace(c) || Character.isSpaceChar(c)
                || c == 0x200B || c == 0x2060 || c == 0xFEFF || c == 0x180E);
    }

    private static double optionalNumber(JsonNode row, String field, double dflt, String range) throws RowProblem {
        JsonNode n = row.get(field);
        if (n == null || n.isNull() || (n.isTextual() && n.asText().isBlank())) {
            return dflt;
        }
        if (n.isNumber()) {
            return n.asDouble();
        }
        if (n.isTextual()) {
            Double v = StrictNumber.parse(n.asText());
            if (v == null) {
                throw new RowProblem(field, "expected a number (RFC 8259 syntax like 0.5 or 1e-3), " + range
                        + ", found '" + abbreviate(n.asText()) + "'");
            }
            return v;
        }
        throw new RowProblem(field, "expected a number, " + range + ", found " + kind(n));
    }

    /** The value as written in the data (a huge integer stays readable), for messages. */
    private static String number(JsonNode row, String field) {
        JsonNode n = row.get(field);
        return n == null ? "nothing" : abbreviate(n.asText());
    }

    private static String id(JsonNode row, String field, String source) throws RowProblem {
        JsonNode n = row.get(field);
        if (n == null || n.isNull() || (n.isTextual() && n.asText().isEmpty())) {
            return source;
        }
        if (!n.isTextual() && !n.isNumber()) {
            throw new RowProblem(field, "expected a string or number, found " + kind(n));
        }
        return n.asText();
    }

    static boolean hasLoneSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return true;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    static String kind(JsonNode n) {
        if (n == null) {
            return "no such field";
        }
        return switch (n.getNodeType()) {
            case ARRAY -> "a list";
            case OBJECT -> "an object";
            case NUMBER -> "a number (" + n.asText() + ")";
            case BOOLEAN -> "a boolean (" + n.asText() + ")";
            case NULL -> "null";
            case STRING -> "a string";
            default -> n.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
        };
    }

    /** User text quoted in a message: at most 40 characters, control characters escaped (messages are one line). */
    static String abbreviate(String s) {
        return escape(s.length() <= 40 ? s : s.substring(0, 40) + "...");
    }

    /** Control and line-separator characters escaped, so a message stays on one line. */
    static String escape(String cut) {
        StringBuilder out = new StringBuilder(cut.length());
        for (int i = 0; i < cut.length(); i++) {
            char c = cut.charAt(i);
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029' || c == '\u0085') {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
