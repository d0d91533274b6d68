package io.dpo4j.data;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

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

    private final FieldNames names;
    private final ChatTemplate template;

    RowParser(FieldNames names, ChatTemplate template) {
        this.names = names;
        this.template = template;
    }

    PreferencePair parse(JsonNode row, String source) throws RowProblem {
        if (row == null || !row.isObject()) {
            throw new RowProblem("-", "expected a JSON object, found " + kind(row));
        }
        String chosenName = resolve(row, names.chosen(), SEED_CHOSEN);
        String rejectedName = resolve(row, names.rejected(), SEED_REJECTED);
        JsonNode chosen = required(row, chosenName);
        JsonNode rejected = required(row, rejectedName);
        JsonNode prompt = present(row.get(names.prompt())) ? row.get(names.prompt()) : null;
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

    private static boolean present(JsonNode n) {
        return n != null && !n.isNull();
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

    private static String string(String field, JsonNode n) throws RowProblem {
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
        if (text.isBlank()) {
            throw new RowProblem(field, "expected a non-empty completion, found "
                    + (text.isEmpty() ? "an empty one" : "only whitespace"));
        }
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

    static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
