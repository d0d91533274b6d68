package io.dpo4j.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Layout detection, field names, implicit prompts and per-format bad rows. */
class ReaderFormatsTest {

    @TempDir
    Path tmp;

    private Path write(String name, String text) throws IOException {
        Path p = tmp.resolve(name);
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    private static DataOptions skip() {
        return DataOptions.defaults().withOnBadRow(OnBadRow.SKIP, null);
    }

    @Test
    void implicitPromptSplitsAtAWordBoundary() {
        var p = ImplicitPrompt.split("The film was great.", "The film was good.");
        assertEquals("The film was", p.prompt());
        assertEquals(" great.", p.chosen());
        assertEquals(" good.", p.rejected());
        var none = ImplicitPrompt.split("abc", "abd");
        assertEquals("", none.prompt());
        var prefix = ImplicitPrompt.split("Answer: yes", "Answer: yes indeed");
        assertEquals("Answer:", prefix.prompt());
        assertEquals(" yes indeed", prefix.rejected());
        var emoji = ImplicitPrompt.split("Hi \uD83D\uDE00 a", "Hi \uD83D\uDE01 b");
        assertEquals("Hi", emoji.prompt());
    }

    @Test
    void customFieldNamesAndExplicitFormat() throws IOException {
        Path f = write("data.txt", "{\"q\": \"Q?\", \"good\": \" yes\", \"bad\": \" no\", \"p\": 0.6, \"w\": 3, \"key\": 9}\n");
        DataOptions opts = new DataOptions(new FieldNames("q", "good", "bad", "p", "w", "key"), OnBadRow.FAIL, null,
                64, 32, TruncationMode.KEEP_END);
        PreferencePair p = PreferenceReader.read(f, InputFormat.JSONL, opts, null).pairs().get(0);
        assertEquals(new PreferencePair("9", "Q?", " yes", " no", 0.6, 3.0, f + ":1"), p);
        assertThatThrownBy(() -> PreferenceReader.read(f, opts, null)).hasMessageContaining("cannot tell the format");
    }

    @Test
    void seedColumnsOnlyWithDefaultNames() throws IOException {
        Path f = write("s.jsonl", "{\"prompt\": \"P\", \"preferred_response\": \"a\", \"non_preferred_response\": \"b\"}\n");
        assertThat(PreferenceReader.read(f, DataOptions.defaults(), null).pairs()).singleElement()
                .extracting(PreferencePair::chosen, PreferencePair::rejected).containsExactly("a", "b");
        DataOptions custom = new DataOptions(new FieldNames("prompt", "c", "r", "preference", "weight", "id"),
                OnBadRow.FAIL, null, 64, 32, TruncationMode.KEEP_END);
        assertThatThrownBy(() -> PreferenceReader.read(f, custom, null))
                .isInstanceOf(DataFormatException.class).hasMessage(f + ":1: field 'c': expected a value, found no such field");
    }

    @Test
    void csvBadRowsAreSkippedWithTheirLines() throws IOException {
        byte[] head = "prompt,chosen,rejected,preference\n\"multi\nline\",a,b,0.5\n".getBytes(StandardCharsets.UTF_8);
        byte[] badUtf8 = {'p', ',', (byte) 0xff, ',', 'b', '\n'};
        byte[] tail = "p,a,a,\np,a,b,7\np,a\np,a,b,,extra\nlast,x,y,1\n".getBytes(StandardCharsets.UTF_8);
        Path f = tmp.resolve("bad.csv");
        Files.write(f, concat(head, badUtf8, tail));
        ReadResult r = PreferenceReader.read(f, skip(), null);
        assertThat(r.pairs()).extracting(PreferencePair::prompt).containsExactly("multi\nline", "last");
        assertThat(r.skipped()).extracting(BadRow::line, BadRow::field).containsExactly(
                org.assertj.core.groups.Tuple.tuple(4L, "-"), org.assertj.core.groups.Tuple.tuple(5L, "rejected"),
                org.assertj.core.groups.Tuple.tuple(6L, "preference"), org.assertj.core.groups.Tuple.tuple(7L, "rejected"),
                org.assertj.core.groups.Tuple.tuple(8L, "-"));
        assertThat(r.skipped().get(0).reason()).contains("invalid byte sequence");
    }

    @Test
    void tsvWithoutQuoting() throws IOException {
        Path f = write("t.tsv", "prompt\tchosen\trejected\n\"Q\"\t\"a\tb\n");
        assertThat(PreferenceReader.read(f, DataOptions.defaults(), null).pairs()).singleElement()
                .extracting(PreferencePair::prompt, PreferencePair::chosen).containsExactly("\"Q\"", "\"a");
    }

    @Test
    void jsonArrayBadElementsAndStructure() throws IOException {
        Path f = write("a.json", "[\n {\"prompt\": \"p\", \"chosen\": \"a\", \"rejected\": \"b\"},\n"
                + " {\"prompt\": \"p\", \"chosen\": \"a\", \"rejected\": \"a\"},\n 17\n]\n");
        ReadResult r = PreferenceReader.read(f, skip(), null);
        assertThat(r.pairs()).hasSize(1);
        assertThat(r.skipped()).extracting(BadRow::line).containsExactly(3L, 4L);
        Path notArray = write("o.json", "{\"prompt\": \"p\"}");
        assertThatThrownBy(() -> PreferenceReader.read(notArray, DataOptions.defaults(), null))
                .hasMessage(notArray + ":1: expected a JSON array of objects, found '{'");
        Path cut = write("c.json", "[{\"prompt\": \"p\", \"chosen\": \"a\", \"rejected\": \"b\"},\n{\"prompt\": ");
        ReadResult partial = PreferenceReader.read(cut, skip(), null);
        assertThat(partial.pairs()).hasSize(1);
        assertThat(partial.skipped()).singleElement().satisfies(b -> assertThat(b.reason()).contains("rest of the file"));
    }

    @Test
    void duplicateKeysAreBadRowsInJsonlAndJsonArrays() throws IOException {
        String dup = "{\"prompt\": \"p\", \"chosen\": \"a\", \"chosen\": \"c\", \"rejected\": \"b\"}";
        String ok = "{\"prompt\": \"p\", \"chosen\": \"a\", \"rejected\": \"b\"}";
        Path jsonl = write("d.jsonl", dup + "\n" + ok + "\n");
        ReadResult r = PreferenceReader.read(jsonl, skip(), null);
        assertThat(r.pairs()).hasSize(1);
        assertThat(r.skipped()).singleElement().satisfies(b -> assertThat(b.reason()).contains("Duplicate field 'chosen'"));
        Path array = write("d.json", "[\n" + ok + ",\n" + dup + ",\n" + ok + "\n]");
        ReadResult a = PreferenceReader.read(array, skip(), null);
        assertThat(a.pairs()).extracting(PreferencePair::source).containsExactly(array + ":2", array + ":4");
        assertThat(a.skipped()).extracting(BadRow::line).containsExactly(3L);
    }

    @Test
    void softLabelsAndWeightsAsNumbersOrNumericStrings() throws IOException {
        Path f = write("w.jsonl", "{\"prompt\": \"p\", \"chosen\": \"a\", \"rejected\": \"b\", \"preference\": \"0.3\", "
                + "\"weight\": 0}\n{\"prompt\": \"p\", \"chosen\": \"a\", \"rejected\": \"b\", \"preference\": null}\n");
        var pairs = PreferenceReader.read(f, DataOptions.defaults(), null).pairs();
        assertEquals(0.3, pairs.get(0).prefProb());
        assertEquals(0.0, pairs.get(0).weight());
        assertEquals(1.0, pairs.get(1).prefProb());
    }

    @Test
    void implicitConversationalTakesSharedLeadingMessagesAsPrompt() throws IOException {
        Path f = write("c.jsonl", "{\"chosen\": [{\"role\": \"user\", \"content\": \"Hi\"}, {\"role\": \"assistant\", "
                + "\"content\": \"Hello!\"}], \"rejected\": [{\"role\": \"user\", \"content\": \"Hi\"}, "
                + "{\"role\": \"assistant\", \"content\": \"Go away.\"}]}\n");
        ChatTemplate t = ChatTemplate.fromTokenizerConfig(TestFiles.resource("llama2_chat_tokenizer_config.json"));
        PreferencePair p = PreferenceReader.read(f, DataOptions.defaults(), t).pairs().get(0);
        assertEquals("<s>[INST] Hi [/INST]", p.prompt());
        assertEquals(" Hello! </s>", p.chosen());
        assertEquals(" Go away. </s>", p.rejected());
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
