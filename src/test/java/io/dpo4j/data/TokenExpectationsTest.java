package io.dpo4j.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.dpo4j.artifacts.ArtifactSet;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Exact token ids of every format and layout, for both tiny tokenizers, against expectations computed
 * independently by tools/data/make_data_expectations.py (Python `tokenizers` + jinja2).
 */
class TokenExpectationsTest {

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String tok : List.of("gpt2", "llama")) {
            for (JsonNode c : TestFiles.json("expected_" + tok + ".json").get("cases")) {
                out.add(Arguments.of(tok, c.get("name").asText()));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void tokenizesAndCollatesExactly(String tok, String caseName) throws Exception {
        JsonNode expected = TestFiles.json("expected_" + tok + ".json");
        Path art = TestFiles.artifact(tok.equals("gpt2") ? "tiny-gpt2" : "tiny-llama");
        assertEquals(expected.get("tokenizer_sha256").asText(), sha256(art.resolve("tokenizer.json")),
                "tokenizer.json changed: regenerate with tools/.venv/bin/python tools/data/make_data_expectations.py");
        JsonNode c = find(expected.get("cases"), caseName);
        DataOptions opts = new DataOptions(FieldNames.DEFAULTS, OnBadRow.FAIL, null, c.get("max_length").asInt(),
                c.get("max_prompt_length").asInt(),
                TruncationMode.valueOf(c.get("truncation_mode").asText().toUpperCase(Locale.ROOT)));
        ChatTemplate template = ChatTemplate.fromTokenizerConfig(TestFiles.resource(expected.get("chat_config").asText()));
        ReadResult read = PreferenceReader.read(TestFiles.resource(c.get("file").asText()),
                InputFormat.parse(c.get("format").asText()), opts, template);
        JsonNode pairs = c.get("pairs");
        assertThat(read.skipped()).isEmpty();
        assertThat(read.pairs()).hasSize(pairs.size());
        TokenizerSpec spec = TokenizerSpec.from(ArtifactSet.load(art).manifest().specialTokens());
        JsonNode st = expected.get("special_tokens");
        assertEquals(new TokenizerSpec(st.get("bos").isNull() ? null : st.get("bos").asInt(), st.get("eos").asInt(),
                st.get("pad").asInt(), st.get("add_bos").asBoolean(), st.get("add_eos_to_completion").asBoolean()), spec,
                "manifest special_tokens changed: regenerate with tools/.venv/bin/python tools/data/make_data_expectations.py");
        List<TokenizedPair> kept = new ArrayList<>();
        try (PairTokenizer tokenizer = new PairTokenizer(art.resolve("tokenizer.json"), spec, opts)) {
            for (int i = 0; i < pairs.size(); i++) {
                EncodeResult r = tokenizer.encode(read.pairs().get(i));
                checkPair(pairs.get(i), read.pairs().get(i), r);
                r.pair().ifPresent(kept::add);
            }
            checkCounters(c.get("counters"), tokenizer.counters());
        }
        JsonNode batch = c.get("batch");
        Batch b = Collator.collate(kept, spec.padId());
        assertEquals(batch.get("pairs").asInt(), b.pairs());
        assertEquals(batch.get("seq_len").asInt(), b.seqLen());
        assertThat(b.inputIds()).containsExactly(TestFiles.longs(batch.get("input_ids")));
        assertThat(b.attentionMask()).containsExactly(TestFiles.longs(batch.get("attention_mask")));
        assertThat(b.completionMask()).containsExactly(TestFiles.longs(batch.get("completion_mask")));
    }

    private static void checkPair(JsonNode e, PreferencePair p, EncodeResult r) {
        String where = p.source();
        if (!e.get("id").isNull()) {
            assertEquals(e.get("id").asText(), p.id(), where);
        }
        assertEquals(e.get("prompt").asText(), p.prompt(), where + " prompt text");
        assertEquals(e.get("chosen").asText(), p.chosen(), where + " chosen text");
        assertEquals(e.get("rejected").asText(), p.rejected(), where + " rejected text");
        assertEquals(e.get("pref_prob").asDouble(), p.prefProb(), 0.0, where);
        assertEquals(e.get("weight").asDouble(), p.weight(), 0.0, where);
        assertEquals(e.get("boundary_merges").asInt(), r.boundaryMerges(), where + " boundary merges");
        assertEquals(e.get("prompt_truncated").asBoolean(), r.promptTruncated(), where);
        assertEquals(e.get("chosen_truncated").asBoolean(), r.chosenTruncated(), where);
        assertEquals(e.get("rejected_truncated").asBoolean(), r.rejectedTruncated(), where);
        assertEquals(e.get("kept").asBoolean(), r.kept(), where + " kept");
        if (r.kept()) {
            assertThat(r.tokenized().promptIds()).as(where + " prompt ids").containsExactly(TestFiles.longs(e.get("prompt_ids")));
            assertThat(r.tokenized().chosenIds()).as(where + " chosen ids").containsExactly(TestFiles.longs(e.get("chosen_ids")));
            assertThat(r.tokenized().rejectedIds()).as(where + " rejected ids")
                    .containsExactly(TestFiles.longs(e.get("rejected_ids")));
        } else {
            assertThat(r.dropReason()).contains(p.source()).contains("dropped");
        }
    }

    private static void checkCounters(JsonNode e, Counters c) {
        assertEquals(e.get("pairs").asLong(), c.pairs());
        assertEquals(e.get("kept").asLong(), c.kept());
        assertEquals(e.get("dropped").asLong(), c.dropped());
        assertEquals(e.get("boundary_merges").asLong(), c.boundaryMerges());
        assertEquals(e.get("prompt_truncated").asLong(), c.promptTruncated());
        assertEquals(e.get("chosen_truncated").asLong(), c.chosenTruncated());
        assertEquals(e.get("rejected_truncated").asLong(), c.rejectedTruncated());
    }

    private static JsonNode find(JsonNode cases, String name) {
        for (JsonNode c : cases) {
            if (c.get("name").asText().equals(name)) {
                return c;
            }
        }
        throw new IllegalArgumentException("no case " + name);
    }

    static String sha256(Path file) throws IOException, NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
