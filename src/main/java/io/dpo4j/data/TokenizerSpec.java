package io.dpo4j.data;

import io.dpo4j.artifacts.Manifest;

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

    /** @return the policy of an artifact's manifest.json {@code special_tokens} (already parsed and validated) */
    public static TokenizerSpec from(Manifest.SpecialTokens st) {
        return new TokenizerSpec(st.bos(), st.eos(), st.pad(), st.addBos(), st.addEosToCompletion());
    }
}
