package io.dpo4j.artifacts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import io.dpo4j.util.Files2;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Typed, path-aware reading of one JSON object of an artifact file (manifest.json, tokenizer.json). Every failure is
 * an {@link ArtifactException} with a one-line message naming the file and the field, what was expected and what was
 * found, e.g. {@code .../manifest.json: field 'special_tokens.eos': expected an integer, found a string ("x")} — never
 * a Java class name or JSON-parser internals.
 */
final class JsonFields {
    private final Path file;
    private final String path;
    private final JsonNode node;

    private JsonFields(Path file, String path, JsonNode node) {
        this.file = file;
        this.path = path;
        this.node = node;
    }

    /**
     * Parses a whole file's bytes, which must hold exactly one JSON object.
     *
     * @param file  the file (named in messages)
     * @param bytes its contents
     */
    static JsonFields parse(Path file, byte[] bytes) {
        JsonNode root;
        try {
            root = Files2.JSON.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(bytes);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            // Jackson reports some truncations (e.g. inside a string) as plain syntax errors at the last byte.
            boolean atEnd = e instanceof JsonEOFException || (at != null && at.getByteOffset() >= bytes.length - 1);
            String found = atEnd ? "the file ending inside a value" + where + " (truncated?)" : "a syntax error" + where;
            throw new ArtifactException(file + ": expected a JSON object, found " + found + " (not valid JSON)");
        } catch (IOException e) {
            throw new ArtifactException(file + ": cannot be read: " + e.getMessage());
        }
        if (root == null || root.isMissingNode()) {
            throw new ArtifactException(file + ": expected a JSON object, found an empty file");
        }
        if (!root.isObject()) {
            throw new ArtifactException(file + ": expected a JSON object at the top level, found " + describe(root));
        }
        return new JsonFields(file, "", root);
    }

    /** @return the failure for {@code key} of this object (for checks beyond types) */
    ArtifactException error(String key, String expected, String found) {
        return new ArtifactException(file + ": field '" + name(key) + "': expected " + expected + ", found " + found);
    }

    boolean has(String key) {
        JsonNode v = node.get(key);
        return v != null && !v.isNull();
    }

    /** @return a required integer in int range */
    int integer(String key) {
        JsonNode v = node.get(key);
        if (v == null || !v.canConvertToExactIntegral() || !v.canConvertToInt()) {
            throw error(key, "an integer", describe(v));
        }
        return v.asInt();
    }

    /** @return an integer, or null when absent or null */
    Integer optionalInteger(String key) {
        return has(key) ? integer(key) : null;
    }

    /** @return a required integer in long range */
    long longInteger(String key) {
        JsonNode v = node.get(key);
        if (v == null || !v.canConvertToExactIntegral() || !v.canConvertToLong()) {
            throw error(key, "an integer", describe(v));
        }
        return v.asLong();
    }

    /** @return a required number */
    double number(String key) {
        JsonNode v = node.get(key);
        if (v == null || !v.isNumber()) {
            throw error(key, "a number", describe(v));
        }
        return v.asDouble();
    }

    /** @return a number, or null when absent or null */
    Double optionalNumber(String key) {
        return has(key) ? number(key) : null;
    }

    /** @return a required boolean */
    boolean bool(String key) {
        JsonNode v = node.get(key);
        if (v == null || !v.isBoolean()) {
            throw error(key, "true or false", describe(v));
        }
        return v.asBoolean();
    }

    /** @return a required string */
    String string(String key) {
        JsonNode v = node.get(key);
        if (v == null || !v.isTextual()) {
            throw error(key, "a string", describe(v));
        }
        return v.asText();
    }

    /** @return a required object */
    JsonFields object(String key) {
        JsonNode v = node.get(key);
        if (v == null || !v.isObject()) {
            throw error(key, "an object", describe(v));
        }
        return new JsonFields(file, name(key), v);
    }

    /** @return an object, or null when absent or null */
    JsonFields optionalObject(String key) {
        return has(key) ? object(key) : null;
    }

    /** @return a required array's elements, each as a value of this file (named {@code key[i]}) */
    List<JsonNode> array(String key) {
        JsonNode v = node.get(key);
        if (v == null || !v.isArray()) {
            throw error(key, "an array", describe(v));
        }
        List<JsonNode> out = new ArrayList<>();
        v.forEach(out::add);
        return out;
    }

    /** @return a required array of strings */
    List<String> strings(String key) {
        List<String> out = new ArrayList<>();
        List<JsonNode> items = array(key);
        for (int i = 0; i < items.size(); i++) {
            if (!items.get(i).isTextual()) {
                throw error(key + "[" + i + "]", "a string", describe(items.get(i)));
            }
            out.add(items.get(i).asText());
        }
        return out;
    }

    /** @return a required array of numbers */
    List<Double> numbers(String key) {
        List<Double> out = new ArrayList<>();
        List<JsonNode> items = array(key);
        for (int i = 0; i < items.size(); i++) {
            if (!items.get(i).isNumber()) {
                throw error(key + "[" + i + "]", "a number", describe(items.get(i)));
            }
            out.add(items.get(i).asDouble());
        }
        return out;
    }

    /** @return a required array of objects */
    List<JsonFields> objects(String key) {
        List<JsonFields> out = new ArrayList<>();
        List<JsonNode> items = array(key);
        for (int i = 0; i < items.size(); i++) {
            if (!items.get(i).isObject()) {
                throw error(key + "[" + i + "]", "an object", describe(items.get(i)));
            }
            out.add(new JsonFields(file, name(key) + "[" + i + "]", items.get(i)));
        }
        return out;
    }

    /** @return this object's members, each required to be an object, in file order */
    Map<String, JsonFields> objectMembers() {
        Map<String, JsonFields> out = new LinkedHashMap<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            out.put(it.next(), null);
        }
        out.replaceAll((k, v) -> object(k));
        return out;
    }

    /** @return this object's members, each required to be a string, in file order */
    Map<String, String> stringMembers() {
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            out.put(k, string(k));
        }
        return out;
    }

    /** @return this object's members, each required to be an integer, in file order */
    Map<String, Integer> integerMembers() {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            out.put(k, integer(k));
        }
        return out;
    }

    /** @return this object's members, each required to be an integer in long range, in file order */
    Map<String, Long> longMembers() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            out.put(k, longInteger(k));
        }
        return out;
    }

    /** @return the raw value of {@code key} (null when absent), for values passed through untyped */
    JsonNode raw(String key) {
        return node.get(key);
    }

    /** @return the dotted name of {@code key} inside this object, e.g. {@code special_tokens.eos} */
    String name(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /** @return the file this object was read from */
    Path file() {
        return file;
    }

    /** @return what a JSON value is, for "found ..." (short; strings cut to 40 characters) */
    static String describe(JsonNode v) {
        if (v == null || v.isMissingNode()) {
            return "nothing (the key is missing)";
        }
        if (v.isNull()) {
            return "null";
        }
        if (v.isTextual()) {
            String s = v.asText();
            String shown = s.length() > 40 ? s.substring(0, 40) + "..." : s;
            return "a string (\"" + shown.replace("\n", "\\n").replace("\r", "\\r") + "\")";
        }
        if (v.isBoolean()) {
            return v.asText();
        }
        if (v.isNumber()) {
            return "the number " + v.asText();
        }
        if (v.isArray()) {
            return "an array";
        }
        return "an object";
    }
}
