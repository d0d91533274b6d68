package io.dpo4j.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Prompts from JSONL, JSON, CSV and TSV through the preference reader's file layer; bad rows name file:line. */
class PromptReaderTest {

    @TempDir
    Path tmp;

    private Path write(String name, String text) throws IOException {
        Path p = tmp.resolve(name);
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    private static PromptReader.Result read(Path f, OnBadRow policy) {
        return PromptReader.read(f, "prompt", "id", policy, ReadLimits.DEFAULTS);
    }

    @Test
    void everyFormatGivesThePromptsInFileOrderWithIds() throws IOException {
        Path jsonl = write("p.jsonl", "{\"prompt\": \"A\\nB\", \"id\": 7, \"chosen\": \"x\"}\n\n{\"prompt\": \"C\"}\n");
        Path json = write("p.json", "[{\"prompt\": \"A\\nB\", \"id\": \"7\"},\n {\"prompt\": \"C\"}]");
        Path csv = write("p.csv", "id,prompt\n7,\"A\nB\"\n,C\n");
        Path tsv = write("p.tsv", "prompt\tid\nA\t7\nC\t\n");
        assertThat(read(jsonl, OnBadRow.FAIL).prompts()).containsExactly(new Prompt("7", "A\nB", jsonl + ":1"),
                new Prompt(jsonl + ":3", "C", jsonl + ":3"));
        assertThat(read(json, OnBadRow.FAIL).prompts()).extracting(Prompt::id, Prompt::text)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("7", "A\nB"),
                        org.assertj.core.groups.Tuple.tuple(json + ":2", "C"));
        assertThat(read(csv, OnBadRow.FAIL).prompts()).extracting(Prompt::text).containsExactly("A\nB", "C");
        assertThat(read(csv, OnBadRow.FAIL).prompts().get(1).id()).isEqualTo(csv + ":4");
        assertThat(read(tsv, OnBadRow.FAIL).prompts()).extracting(Prompt::text).containsExactly("A", "C");
    }

    @Test
    void theCommittedPreferenceFilesReadAsPrompts() {
        Path train = Path.of("artifacts/datasets/imdb-pref/train.jsonl");
        PromptReader.Result r = read(train, OnBadRow.FAIL);
        assertThat(r.prompts()).hasSize(400);
        assertThat(r.prompts().get(0).id()).isEqualTo("imdb-train-0000");
        assertThat(r.prompts().get(0).text()).startsWith("Review: This movie").endsWith("\nHighlight:");
    }

    @Test
    void badRowsNameFileLineFieldAndReason() throws IOException {
        Path f = write("bad.jsonl", String.join("\n",
                "{\"prompt\": \"ok\"}",
                "{\"text\": \"no prompt\"}",
                "{\"prompt\": \"  \\u00a0\"}",
                "{\"prompt\": [{\"role\": \"user\", \"content\": \"hi\"}]}",
                "{\"prompt\": 3}",
                "not json",
                "{\"prompt\": \"x\", \"id\": [1]}",
                "{\"prompt\": \"" + "y".repeat(50) + "\"}") + "\n");
        assertThatThrownBy(() -> read(f, OnBadRow.FAIL)).isInstanceOf(DataFormatException.class)
                .hasMessage(f + ":2: field 'prompt': expected a string, found no such field");
        PromptReader.Result r = PromptReader.read(f, "prompt", "id", OnBadRow.SKIP, new ReadLimits(1 << 20, 100, 40));
        assertThat(r.prompts()).extracting(Prompt::text).containsExactly("ok");
        assertThat(r.skipped()).extracting(BadRow::message).containsExactly(
                f + ":2: field 'prompt': expected a string, found no such field",
                f + ":3: field 'prompt': expected a non-empty prompt, found only whitespace or invisible characters",
                f + ":4: field 'prompt': expected a string, found a list (conversational prompts are not supported "
                        + "here; render them to text first)",
                f + ":5: field 'prompt': expected a string, found a number (3)",
                f + ":6: expected one JSON object per line, found invalid JSON (Unrecognized token 'not': was "
                        + "expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false'))",
                f + ":7: field 'id': expected a string or number, found a list",
                f + ":8: field 'prompt': expected at most 40 characters, found 50; raise --max-prompt-chars or "
                        + "shorten the text");
    }

    @Test
    void aMissingFileOrUnknownExtensionIsRefused() throws IOException {
        assertThatThrownBy(() -> read(tmp.resolve("none.jsonl"), OnBadRow.FAIL))
                .hasMessage(tmp.resolve("none.jsonl") + ": expected a prompt file, found no such file");
        Path txt = write("p.txt", "x");
        assertThatThrownBy(() -> read(txt, OnBadRow.FAIL)).hasMessageContaining("cannot tell the format");
    }
}
