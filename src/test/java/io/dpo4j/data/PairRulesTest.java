package io.dpo4j.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dpo4j.artifacts.ArtifactSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Pairs that carry no preference signal or are read with the wrong layout are bad rows with a reason. */
class PairRulesTest {

    @TempDir
    Path tmp;

    private Path write(String name, String text) throws IOException {
        Path p = tmp.resolve(name);
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    @ParameterizedTest
    @ValueSource(strings = {"\\u00a0", "\\u00a0\\u00a0 ", "\\u2007", "\\u202f", "\\u2003\\u3000", "\\u200b", "\\ufeff",
        "\\u2028", " \\t\\n"})
    void completionsOfOnlyUnicodeSpaceAreBadRows(String blank) throws IOException {
        Path f = write("ws.jsonl", "{\"prompt\": \"p\", \"chosen\": \"a\", \"rejected\": \"" + blank + "\"}\n");
        assertThatThrownBy(() -> PreferenceReader.read(f, DataOptions.defaults(), null))
                .isInstanceOf(DataFormatException.class)
                .hasMessageStartingWith(f + ":1: field 'rejected': expected a non-empty completion");
    }

    @Test
    void aNullPromptIsABadRowNotTheImplicitLayout() throws IOException {
        Path f = write("np.jsonl", "{\"prompt\": null, \"chosen\": \"Q: a\", \"rejected\": \"Q: b\"}\n");
        assertThatThrownBy(() -> PreferenceReader.read(f, DataOptions.defaults(), null))
                .hasMessageStartingWith(f + ":1: field 'prompt': expected a string or a list of messages, found null");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Prompt", "question", "instruction", " prompt", "QUERY"})
    void aMisnamedPromptIsABadRowNotTheImplicitLayout(String key) throws IOException {
        Path f = write("mp.jsonl", "{\"" + key + "\": \"Q?\", \"chosen\": \"Q: a\", \"rejected\": \"Q: b\"}\n");
        assertThatThrownBy(() -> PreferenceReader.read(f, DataOptions.defaults(), null))
                .hasMessageStartingWith(f + ":1: field 'prompt': expected a field 'prompt'")
                .hasMessageContaining("found '" + key + "'").hasMessageContaining("--prompt-field");
    }

    @Test
    void aPromptFieldNamedByTheUserIsRequired() throws IOException {
        Path f = write("q.jsonl", "{\"chosen\": \"Q: a\", \"rejected\": \"Q: b\"}\n");
        DataOptions named = new DataOptions(FieldNames.DEFAULTS.withPromptOptional(false), OnBadRow.FAIL, null, 64, 32,
                TruncationMode.KEEP_END);
        assertThatThrownBy(() -> PreferenceReader.read(f, named, null))
                .hasMessageStartingWith(f + ":1: field 'prompt': expected a value, found no such field")
                .hasMessageContaining("--prompt-field");
        assertThat(PreferenceReader.read(f, DataOptions.defaults(), null).pairs()).singleElement()
                .extracting(PreferencePair::prompt).isEqualTo("Q:"); // implicit layout: no prompt field at all
        assertThat(named.fields().isDefault()).isTrue(); // seed column names still recognised
    }

    @Test
    void identicalAfterEosHandlingOrTruncationIsDroppedWithAReason() {
        Path llama = TestFiles.artifact("tiny-llama");
        DataOptions opts = DataOptions.defaults().withLengths(8, 4);
        try (PairTokenizer t = new PairTokenizer(llama.resolve("tokenizer.json"),
                TokenizerSpec.from(ArtifactSet.load(llama).manifest().specialTokens()), opts)) {
            EncodeResult eos = t.encode(PreferencePair.of("a", "Hi", " yes", " yes</s>", "f.jsonl:3"));
            assertThat(eos.kept()).isFalse();
            assertThat(eos.dropReason()).startsWith("f.jsonl:3: dropped: expected chosen and rejected to differ");
            EncodeResult cut = t.encode(PreferencePair.of("b", "Hi", " one two three four five six seven eight",
                    " one two three four five six seven nine", "f.jsonl:4"));
            assertThat(cut.kept()).isFalse();
            assertThat(cut.dropReason()).contains("found the identical");
            assertThat(t.encode(PreferencePair.of("c", "Hi", " yes", " no", "f.jsonl:5")).kept()).isTrue();
            assertThat(t.counters().dropped()).isEqualTo(2);
        }
    }
}
