package io.dpo4j.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Special-token policy of an exported model (manifest.json {@code special_tokens}).
 *
 * @param bosId              BOS id, or {@code null} when the model has none
 * @param eosId              EOS id
 * @param padId              padding id
 * @param addBos             prepend BOS to every prompt (unless the prompt already starts with it)
 * @param addEosToCompletion append EOS to every completion (unless it already ends with it)
 */
public record TokenizerSpec(Integer bosId, int eosId, int padId, boolean addBos, boolean addEosToCompletion) {

    /** Validates ids ({@code >= 0}) and that {@code addBos} has a BOS id. */
    public TokenizerSpec {
        if (bosId != null && bosId < 0) {
            throw new IllegalArgumentException("bosId: expected >= 0 or null, found " + bosId);
        }
        if (eosId < 0 || padId < 0) {
            throw new IllegalArgumentException("eosId/padId: expected >= 0, found " + eosId + "/" + padId);
        }
        if (addBos && bosId == null) {
            throw new IllegalArgumentException("addBos: expected a bosId when add_bos is true, found none");
        }
    }

    /** Reads {@code special_tokens} from an artifact's manifest.json. */
    public static TokenizerSpec fromManifest(Path manifestJson) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(manifestJson.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read manifest " + manifestJson + ": " + e.getMessage(), e);
        }
        JsonNode st = root.path("special_tokens");
        if (!st.isObject()) {
            throw new IllegalArgumentException(manifestJson + ": field 'special_tokens': expected an object, found "
                    + st.getNodeType());
        }
        JsonNode bos = st.path("bos");
        return new TokenizerSpec(bos.isIntegralNumber() ? bos.asInt() : null, requiredInt(manifestJson, st, "eos"),
                requiredInt(manifestJson, st, "pad"), st.path("add_bos").asBoolean(false),
                st.path("add_eos_to_completion").asBoolean(true));
    }

    private static int requiredInt(Path file, JsonNode st, String name) {
        JsonNode n = st.path(name);
        if (!n.isIntegralNumber()) {
            throw new IllegalArgumentException(file + ": field 'special_tokens." + name + "': expected an integer, found "
                    + n.getNodeType());
        }
        return n.asInt();
    }
}
