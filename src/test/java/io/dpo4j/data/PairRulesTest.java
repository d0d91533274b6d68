package io.dpo4j.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.dpo4j.artifacts.ArtifactSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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

    @Test
    void aTenMegabytePromptIsRefusedQuicklyBeforeTokenization() throws IOException {
        Path f = write("big.jsonl", "{\"prompt\": \"" + "x ".repeat(5_000_000) + "\", \"chosen\": \"a\", \"rejected\": \"b\"}\n"
                + "{\"prompt\": \"p\", \"chosen\": \"a\", \"rejected\": \"b\"}\n");
        ReadResult r = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> PreferenceReader.read(f,
                DataOptions.defaults().withOnBadRow(OnBadRow.SKIP, null), null));
        assertThat(r.pairs()).hasSize(1);
        assertThat(r.skipped()).singleElement().satisfies(b -> {
            assertThat(b.line()).isEqualTo(1);
            assertThat(b.field()).isEqualTo("prompt");
            assertThat(b.reason()).isEqualTo("expected at most 1000000 characters, found 10000000; raise "
                    + "--max-prompt-chars or shorten the text");
        });
    }

    @Test
    void moreRowsThanTheLimitIsAnError() throws IOException {
        Path f = write("many.jsonl", "{\"prompt\": \"p\", \"chosen\": \"a\", \"rejected\": \"b\"}\n".repeat(5));
        DataOptions opts = DataOptions.defaults().withOnBadRow(OnBadRow.SKIP, null)
                .withLimits(new ReadLimits(1 << 20, 4, 100));
        assertThatThrownBy(() -> PreferenceReader.read(f, opts, null))
                .isInstanceOf(DataFormatException.class)
                .hasMessage(f + ":5: expected at most 4 rows, found more; raise --max-rows or split the file");
    }

    @Test
    void notARegularFileIsRefusedWithoutOpeningIt() throws Exception {
        Path fifo = tmp.resolve("pipe.jsonl");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertThat(mk.waitFor()).isZero();
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThatThrownBy(() ->
                PreferenceReader.read(fifo, DataOptions.defaults(), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(fifo + ": expected a regular file, found a named pipe, socket or device; the data is read "
                        + "more than once (rows, then its checksum), so write it to a file first"));
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThatThrownBy(() ->
                PreferenceReader.read(Path.of("/dev/zero"), InputFormat.JSONL, DataOptions.defaults(), null))
                .hasMessageStartingWith("/dev/zero: expected a regular file"));
        assertThatThrownBy(() -> PreferenceReader.read(tmp.resolve("missing.jsonl"), DataOptions.defaults(), null))
                .hasMessageEndingWith("missing.jsonl: expected a preference data file, found no such file");
    }
}
