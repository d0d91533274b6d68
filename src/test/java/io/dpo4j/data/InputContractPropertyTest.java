package io.dpo4j.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The input contract, driven by generated input: reading any file (JSONL, JSON, CSV, TSV) and rendering any
 * message through a chat template either gives the correct result or stops with a clean one-line error (no line
 * break, no Java class or exception names, {@code file:line} first), never a stack trace, never a hang, and never
 * changes the input file.
 */
class InputContractPropertyTest {

    private static final Duration LIMIT = Duration.ofSeconds(10);
    /** Writes every non-ASCII character as a \\u escape, so lone surrogates reach the reader as in real files. */
    private static final ObjectMapper ASCII_JSON = JsonMapper.builder()
            .enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();
    private static Path dir;

    @BeforeContainer
    static void createDir() throws IOException {
        dir = Files.createTempDirectory("dpo4j-properties");
    }

    @AfterContainer
    static void deleteDir() throws IOException {
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
        }
        Files.deleteIfExists(dir);
    }

    /** Text with the characters that break formats and templates: quotes, separators, braces, blanks, surrogates. */
    @Provide
    Arbitrary<String> nasty() {
        Arbitrary<Character> special = Arbitraries.of('"', '\'', ',', '\t', '\n', '\r', '{', '}', '%', '#', '[', ']',
                '\\', ' ', '\u00a0', '\u200b', '\ufeff', '\u2028', 'e', '.', '-', '0', '1', '\u0000', '\ud800', '\udc00');
        Arbitrary<Character> any = Arbitraries.chars().all();
        Arbitrary<String> jinja = Arbitraries.of("{{ 7*7 }}", "{% for x in range(9) %}x{% endfor %}",
                "{{ raise_exception('x') }}", "{%", "}}", "{# #}", "NaN", "0x1p3", "1.5f", "prompt", "chosen");
        Arbitrary<String> chars = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, special), net.jqwik.api.Tuple.of(2, Arbitraries.chars().alpha()),
                net.jqwik.api.Tuple.of(1, any)).list().ofMaxSize(30)
                .map(l -> l.stream().map(String::valueOf).reduce("", String::concat));
        return Arbitraries.oneOf(chars, jinja, Arbitraries.strings().all().ofMaxLength(20));
    }

    @Provide
    Arbitrary<byte[]> bytes() {
        Arbitrary<Byte> interesting = Arbitraries.of((byte) '"', (byte) ',', (byte) '\t', (byte) '\n', (byte) '\r',
                (byte) '{', (byte) '}', (byte) '[', (byte) ']', (byte) ':', (byte) 0xff, (byte) 0xc3, (byte) 0xef,
                (byte) 0xbb, (byte) 0xbf, (byte) 'a', (byte) '1');
        return Arbitraries.oneOf(interesting, Arbitraries.bytes()).array(byte[].class).ofMaxSize(300);
    }

    @Provide
    Arbitrary<InputFormat> formats() {
        return Arbitraries.of(InputFormat.values());
    }

    @Property(tries = 200)
    void anyBytesInAnyFormatReadCleanly(@ForAll("bytes") byte[] content, @ForAll("formats") InputFormat format)
            throws IOException {
        Path f = dir.resolve("any." + format.name().toLowerCase(java.util.Locale.ROOT));
        Files.write(f, content);
        for (OnBadRow policy : OnBadRow.values()) {
            ReadResult r = readCleanly(f, format, DataOptions.defaults().withOnBadRow(policy, null));
            if (r != null) {
                assertThat(r.skipped()).allSatisfy(b -> assertClean(b.message(), f));
                assertThat(r.pairs()).allSatisfy(p -> assertThat(p.source()).startsWith(f + ":"));
            }
        }
        assertArrayEquals(content, Files.readAllBytes(f), "the input file is never changed");
    }

    @Property(tries = 200)
    void anyJsonlRowIsReadExactlyOrRefusedCleanly(@ForAll("nasty") String prompt, @ForAll("nasty") String chosen,
                                                  @ForAll("nasty") String rejected, @ForAll("nasty") String weight)
            throws IOException {
        ObjectNode row = TestFiles.JSON.createObjectNode().put("prompt", prompt).put("chosen", chosen)
                .put("rejected", rejected).put("weight", weight);
        Path f = dir.resolve("row.jsonl");
        Files.writeString(f, ASCII_JSON.writeValueAsString(row) + "\n", StandardCharsets.UTF_8);
        ReadResult r = readCleanly(f, InputFormat.JSONL, DataOptions.defaults());
        if (r != null) {
            PreferencePair p = r.pairs().get(0);
            assertThat(List.of(p.prompt(), p.chosen(), p.rejected())).containsExactly(prompt, chosen, rejected);
            assertThat(p.weight()).isEqualTo(weight.isBlank() ? 1.0 : Double.parseDouble(weight.strip()) + 0.0);
            assertThat(RowParser.isBlank(chosen) || RowParser.isBlank(rejected) || chosen.equals(rejected)).isFalse();
        }
    }

    @Property(tries = 200)
    void anyCsvOrTsvRowRoundTripsOrIsRefusedCleanly(@ForAll("nasty") String prompt, @ForAll("nasty") String chosen,
                                                    @ForAll("nasty") String rejected, @ForAll boolean tsv)
            throws IOException {
        String sep = tsv ? "\t" : ",";
        Path f = dir.resolve(tsv ? "row.tsv" : "row.csv");
        String line = String.join(sep, cell(prompt, tsv), cell(chosen, tsv), cell(rejected, tsv));
        Files.write(f, (String.join(sep, "prompt", "chosen", "rejected") + "\n" + line + "\n")
                .getBytes(StandardCharsets.UTF_8)); // a lone surrogate cannot be UTF-8: it is written as '?'
        prompt = utf8(prompt);
        chosen = utf8(chosen);
        rejected = utf8(rejected);
        ReadResult r = readCleanly(f, tsv ? InputFormat.TSV : InputFormat.CSV, DataOptions.defaults());
        if (r != null && !tsv && r.pairs().size() == 1) { // CSV quoting keeps any text; TSV has no quoting at all
            PreferencePair p = r.pairs().get(0);
            assertThat(List.of(p.prompt(), p.chosen(), p.rejected())).containsExactly(prompt, chosen, rejected);
        }
    }

    @Property(tries = 200)
    void messageContentIsRenderedLiterally(@ForAll("nasty") String content) {
        ChatTemplate t = ChatTemplate.fromTokenizerConfig(TestFiles.resource("llama2_chat_tokenizer_config.json"));
        String out;
        try {
            out = assertTimeoutPreemptively(LIMIT, () -> t.render(List.of(new Message("user", content)), true));
        } catch (IllegalArgumentException e) {
            assertClean(e.getMessage(), null);
            return;
        }
        assertThat(out).isEqualTo("<s>[INST] " + PythonStringMethods.apply(content, "strip", new Object[0]) + " [/INST]");
    }

    private static String utf8(String s) {
        return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    }

    private static String cell(String text, boolean tsv) {
        return tsv ? text : "\"" + text.replace("\"", "\"\"") + "\"";
    }

    /** @return the result, or null when the read stopped with a clean error */
    private static ReadResult readCleanly(Path f, InputFormat format, DataOptions opts) {
        try {
            return assertTimeoutPreemptively(LIMIT, () -> PreferenceReader.read(f, format, opts, null));
        } catch (DataFormatException e) {
            assertClean(e.getMessage(), f);
            return null;
        }
    }

    static void assertClean(String message, Path file) {
        assertThat(message).isNotBlank().doesNotContain("\n").doesNotContain("\r").doesNotContain("java.")
                .doesNotContain("Exception").doesNotContain("\tat ");
        if (file != null) {
            assertThat(message).startsWith(file + ":");
        }
    }
}
