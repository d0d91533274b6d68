package io.dpo4j.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The input contract, driven by generated input: reading any file (JSONL, JSON, CSV, TSV) and rendering any
 * message through a chat template either gives the correct result or stops with a clean one-line error (no line
 * break, no Java class or exception names, {@code file:line} first), never a stack trace, never a hang, and never
 * changes the input file.
 *
 * <p>Seeded fuzzing in plain JUnit 5: each property runs {@value #DEFAULT_TRIES} tries, one per seed, each try
 * drawing its input from a {@link SplittableRandom} built from that seed. The generators lean on edge cases (empty
 * strings, blanks, NBSP, lone CR, lone surrogates, invalid UTF-8, template syntax, quotes, huge numbers) because
 * there is no shrinking. A failure names its seed; replay it alone with
 * {@code -Ddpo4j.fuzz.seed=<seed>}, or run more tries with {@code -Ddpo4j.fuzz.tries=<n>}.
 */
class InputContractPropertyTest {

    private static final Duration LIMIT = Duration.ofSeconds(10);
    private static final int DEFAULT_TRIES = 200;
    /** Fixed, so every run checks the same inputs; the seeds of one run are BASE_SEED, BASE_SEED + 1, ... */
    private static final long BASE_SEED = 0x5eed_d904_0000_0000L;
    /** Writes every non-ASCII character as a \\u escape, so lone surrogates reach the reader as in real files. */
    private static final ObjectMapper ASCII_JSON = JsonMapper.builder()
            .enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();

    @TempDir
    Path dir;

    /** The seeds of one run: {@code -Ddpo4j.fuzz.seed} replays one, {@code -Ddpo4j.fuzz.tries} sets how many. */
    static LongStream seeds() {
        String one = System.getProperty("dpo4j.fuzz.seed");
        if (one != null && !one.isBlank()) {
            return LongStream.of(Long.decode(one.strip().replace("_", "")));
        }
        int tries = Integer.getInteger("dpo4j.fuzz.tries", DEFAULT_TRIES);
        return LongStream.range(0, tries).map(i -> BASE_SEED + i);
    }

    @FunctionalInterface
    interface Try {
        void run(SplittableRandom random) throws Exception;
    }

    /** Runs one try, and on any failure says which seed (and so which input) to replay. */
    private static void withSeed(long seed, Try body) {
        try {
            body.run(new SplittableRandom(seed));
        } catch (Throwable t) {
            throw new AssertionError("failed for seed " + seed + " (replay with -Ddpo4j.fuzz.seed=" + seed + "): "
                    + t.getMessage(), t);
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void anyBytesInAnyFormatReadCleanly(long seed) {
        withSeed(seed, random -> {
            InputFormat format = pick(random, InputFormat.values());
            byte[] content = random.nextInt(3) == 0 ? mutatedValidFile(random, format) : bytes(random);
            Path f = dir.resolve("any." + format.name().toLowerCase(Locale.ROOT));
            Files.write(f, content);
            for (OnBadRow policy : OnBadRow.values()) {
                ReadResult r = readCleanly(f, format, DataOptions.defaults().withOnBadRow(policy, null));
                if (r != null) {
                    assertThat(r.skipped()).allSatisfy(b -> assertClean(b.message(), f));
                    assertThat(r.pairs()).allSatisfy(p -> assertThat(p.source()).startsWith(f + ":"));
                }
            }
            assertArrayEquals(content, Files.readAllBytes(f), "the input file is never changed");
        });
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void anyJsonlRowIsReadExactlyOrRefusedCleanly(long seed) {
        withSeed(seed, random -> {
            String prompt = text(random);
            String chosen = text(random);
            String rejected = text(random);
            String weight = random.nextBoolean() ? pick(random, WEIGHTS) : nasty(random);
            ObjectNode row = TestFiles.JSON.createObjectNode().put("prompt", prompt).put("chosen", chosen)
                    .put("rejected", rejected).put("weight", weight);
            Path f = dir.resolve("row.jsonl");
            byte[] written = (ASCII_JSON.writeValueAsString(row) + "\n").getBytes(StandardCharsets.UTF_8);
            Files.write(f, written);
            ReadResult r = readCleanly(f, InputFormat.JSONL, DataOptions.defaults());
            if (r != null) {
                assertThat(r.pairs()).hasSize(1);
                PreferencePair p = r.pairs().get(0);
                assertThat(List.of(p.prompt(), p.chosen(), p.rejected())).containsExactly(prompt, chosen, rejected);
                assertThat(p.weight()).isEqualTo(weight.isBlank() ? 1.0 : Double.parseDouble(weight.strip()) + 0.0);
                assertThat(RowParser.isBlank(chosen) || RowParser.isBlank(rejected) || chosen.equals(rejected))
                        .isFalse();
            }
            assertArrayEquals(written, Files.readAllBytes(f), "the input file is never changed");
        });
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void anyCsvOrTsvRowRoundTripsOrIsRefusedCleanly(long seed) {
        withSeed(seed, random -> {
            String prompt = nasty(random);
            String chosen = nasty(random);
            String rejected = nasty(random);
            boolean tsv = random.nextBoolean();
            String sep = tsv ? "\t" : ",";
            Path f = dir.resolve(tsv ? "row.tsv" : "row.csv");
            String line = String.join(sep, cell(prompt, tsv), cell(chosen, tsv), cell(rejected, tsv));
            byte[] written = (String.join(sep, "prompt", "chosen", "rejected") + "\n" + line + "\n")
                    .getBytes(StandardCharsets.UTF_8); // a lone surrogate cannot be UTF-8: it is written as '?'
            Files.write(f, written);
            String prompt8 = utf8(prompt);
            String chosen8 = utf8(chosen);
            String rejected8 = utf8(rejected);
            ReadResult r = readCleanly(f, tsv ? InputFormat.TSV : InputFormat.CSV, DataOptions.defaults());
            if (r != null && !tsv && r.pairs().size() == 1) { // CSV quoting keeps any text; TSV has no quoting
                PreferencePair p = r.pairs().get(0);
                assertThat(List.of(p.prompt(), p.chosen(), p.rejected()))
                        .containsExactly(prompt8, chosen8, rejected8);
            }
            assertArrayEquals(written, Files.readAllBytes(f), "the input file is never changed");
        });
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void messageContentIsRenderedLiterally(long seed) {
        ChatTemplate t = ChatTemplate.fromTokenizerConfig(TestFiles.resource("llama2_chat_tokenizer_config.json"));
        withSeed(seed, random -> {
            String content = nasty(random);
            String out;
            try {
                out = assertTimeoutPreemptively(LIMIT, () -> t.render(List.of(new Message("user", content)), true));
            } catch (IllegalArgumentException e) {
                assertClean(e.getMessage(), null);
                return;
            }
            assertThat(out).isEqualTo(
                    "<s>[INST] " + PythonStringMethods.apply(content, "strip", new Object[0]) + " [/INST]");
        });
    }

    // ---------------------------------------------------------------------------------------------------------
    // Generators

    /** Characters that break formats and templates: quotes, separators, braces, blanks, surrogates, digits. */
    private static final char[] SPECIAL = {'"', '\'', ',', '\t', '\n', '\r', '{', '}', '%', '#', '[', ']', '\\', ' ',
        '\u00a0', '\u200b', '\ufeff', '\u2028', '\u2029', '\u0085', '\u3000', 'e', 'E', '.', '-', '+', '0', '1', '\u0000',
        '\ud800', '\udbff', '\udc00', '\udfff'};

    /** Whole strings worth trying as they are: edge cases for fields, numbers and templates. */
    private static final String[] EDGES = {"", " ", "  ", "\t", "\n", "\r", "\r\n", "\n\r", "\u00a0", " \u00a0 ",
        "\u200b", "\ufeff", "\u3000", "\u2028", "\u0085", "\u0000", "\ud800", "\udc00", "\udc00\ud800",
        "\ud83d\ude00", "a\rb", "a\r\nb", "\"", "\"\"", "\"a\"", "'", "''", "\\", "\\\"", "\\u0000", ",", "\t\t",
        "{{ }}", "{{}}", "{{ 7*7 }}", "{{ 7*7 }", "{% for x in range(9) %}x{% endfor %}", "{% raw %}{{ x }}",
        "{% endraw %}", "{{ raise_exception('x') }}", "{{ messages }}", "{%", "%}", "}}", "{{", "{#", "#}", "{# #}",
        "${x}", "%s", "NaN", "nan", "-NaN", "Infinity", "-Infinity", "inf", "1e309", "-1e309", "1e-400", "4.9e-324",
        "1.7976931348623157e308", "1" + "0".repeat(400), "9".repeat(40), "0." + "0".repeat(400) + "1",
        "-0", "-0.0", "+1", "0x1p3", "1.5f", "1d", "1_000", "1,5", " 1 ", "1\u00a0", "\u0661", "０", "prompt",
        "chosen", "rejected", "null", "true", "[]", "{}", "user", "<s>", "[INST]", "[/INST]", "</s>"};

    /** Weights: mostly valid numbers (so the accepting path is checked too), with out-of-range and odd spellings. */
    private static final String[] WEIGHTS = {"", " ", "0", "0.0", "-0", "-0.0", "1", "1.0", "0.5", " 2 ", "\t3\n",
        "1e0", "2.5E1", "1e-400", "4.9e-324", "1e309", "-1", "-1e-9", "1" + "0".repeat(400), "9".repeat(40),
        "65504", "65505", "3.4028235e38", "1e39", "NaN", "Infinity", "0x1p3", "1.5f", "1d", "+1", ".5", "5.",
        "\u00a01", "1\u00a0", "\u0661", "1,5"};

    private static String nasty(SplittableRandom random) {
        return switch (random.nextInt(10)) {
            case 0, 1 -> pick(random, EDGES);
            case 2 -> arbitraryString(random, random.nextInt(21));
            case 3 -> pick(random, EDGES) + mixedChars(random) + pick(random, EDGES);
            default -> mixedChars(random);
        };
    }

    /** {@link #nasty}, or half the time the same text as UTF-8 can carry it (lone surrogates become '?'). */
    private static String text(SplittableRandom random) {
        String s = nasty(random);
        return random.nextBoolean() ? utf8(s) : s;
    }

    /** Up to 30 characters: weighted 3 special, 2 letters, 1 any UTF-16 unit. */
    private static String mixedChars(SplittableRandom random) {
        int n = random.nextInt(31);
        StringBuilder s = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            int k = random.nextInt(6);
            if (k < 3) {
                s.append(SPECIAL[random.nextInt(SPECIAL.length)]);
            } else if (k < 5) {
                s.append((char) ((random.nextBoolean() ? 'a' : 'A') + random.nextInt(26)));
            } else {
                s.append((char) random.nextInt(Character.MAX_VALUE + 1));
            }
        }
        return s.toString();
    }

    /** Any UTF-16 units (lone surrogates included) and, sometimes, supplementary code points. */
    private static String arbitraryString(SplittableRandom random, int n) {
        StringBuilder s = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            if (random.nextInt(8) == 0) {
                s.appendCodePoint(random.nextInt(Character.MIN_SUPPLEMENTARY_CODE_POINT, Character.MAX_CODE_POINT + 1));
            } else {
                s.append((char) random.nextInt(Character.MAX_VALUE + 1));
            }
        }
        return s.toString();
    }

    /** Byte fragments that steer generated files into the readers' interesting states. */
    private static final byte[][] FRAGMENTS = {
        b("{\"prompt\":\"p\",\"chosen\":\"c\",\"rejected\":\"r\"}\n"), b("[{\"prompt\":\"p\",\"chosen\":\"c\",\"rejected\":\"r\"}]"),
        b("prompt,chosen,rejected\n"), b("prompt\tchosen\trejected\n"), b("\"p\",\"c\",\"r\"\n"), b("p\tc\tr\n"),
        b("{"), b("}"), b("["), b("]"), b("\""), b(","), b(":"), b("\t"), b("\n"), b("\r"), b("\r\n"), b(" "),
        b("\"prompt\":"), b("\"chosen\":"), b("\"rejected\":"), b("\"weight\":"), b("\"id\":"), b("\"messages\":"),
        b("{\"role\":\"user\",\"content\":\"x\"}"), b("\"content\":"), b("\"role\":"), b("null"), b("true"), b("[]"),
        b("{}"), b("\"\""), b("\"x\""), b("1e309"), b("-1e309"), b("1e-400"), b("1" + "0".repeat(400)), b("NaN"),
        b("-0"), b("0.5"), b("\"\\ud800\""), b("\"\\udc00\\ud800\""), b("\"\\u0000\""), b("\"\\u00a0\""), b("\\"),
        b("{{ 7*7 }}"), b("{{ }}"), b("{%"), b("\"\"\""), b("'"),
        {(byte) 0xef, (byte) 0xbb, (byte) 0xbf}, // BOM
        {(byte) 0xc2, (byte) 0xa0}, // NBSP
        {(byte) 0xe2, (byte) 0x80, (byte) 0xa8}, // U+2028
        {(byte) 0xff}, {(byte) 0xfe, (byte) 0xff}, {(byte) 0xc3}, {(byte) 0xc0, (byte) 0xaf}, // invalid, overlong
        {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, // encoded surrogate
        {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // beyond U+10FFFF
        {(byte) 0xf0, (byte) 0x9f, (byte) 0x98}, // truncated 4-byte sequence
        {(byte) 0xf0, (byte) 0x9f, (byte) 0x98, (byte) 0x80}, // a valid emoji
        {0},
    };

    private static final byte[] INTERESTING = {'"', ',', '\t', '\n', '\r', '{', '}', '[', ']', ':', (byte) 0xff,
        (byte) 0xc3, (byte) 0xef, (byte) 0xbb, (byte) 0xbf, 'a', '1', '\\', ' ', 0};

    /** Up to about 300 bytes: single interesting or arbitrary bytes mixed with fragments, now and then a long run. */
    private static byte[] bytes(SplittableRandom random) {
        if (random.nextInt(20) == 0) {
            return new byte[0];
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int mode = random.nextInt(4); // 0: bytes only, 1-2: bytes and fragments, 3: fragments only
        int limit = 1 + random.nextInt(300);
        while (out.size() < limit) {
            int k = random.nextInt(4);
            if (mode == 3 || (mode != 0 && k == 0)) {
                byte[] frag = FRAGMENTS[random.nextInt(FRAGMENTS.length)];
                int times = random.nextInt(40) == 0 ? 1 + random.nextInt(2000) : 1; // deep nesting, long lines
                for (int i = 0; i < times; i++) {
                    out.writeBytes(frag);
                }
            } else if (k < 2) {
                out.write(INTERESTING[random.nextInt(INTERESTING.length)]);
            } else {
                out.write(random.nextInt(256));
            }
        }
        return out.toByteArray();
    }

    /** A well-formed file of one to five rows in the format, then zero to three random cuts, inserts or flips. */
    private static byte[] mutatedValidFile(SplittableRandom random, InputFormat format) {
        int rows = 1 + random.nextInt(5);
        StringBuilder s = new StringBuilder();
        String sep = format == InputFormat.TSV ? "\t" : ",";
        if (format == InputFormat.CSV || format == InputFormat.TSV) {
            s.append(String.join(sep, "prompt", "chosen", "rejected")).append(random.nextBoolean() ? "\n" : "\r\n");
        } else if (format == InputFormat.JSON) {
            s.append('[');
        }
        for (int i = 0; i < rows; i++) {
            String[] texts = {"p" + i + utf8(nasty(random)), "c" + i + utf8(nasty(random)),
                "r" + i + utf8(nasty(random))};
            switch (format) {
                case CSV -> s.append(String.join(sep, cell(texts[0], false), cell(texts[1], false),
                        cell(texts[2], false))).append('\n');
                case TSV -> s.append(String.join(sep, texts).replaceAll("[\t\r\n]", " ")).append('\n');
                case JSONL, JSON -> {
                    ObjectNode row = TestFiles.JSON.createObjectNode().put("prompt", texts[0])
                            .put("chosen", texts[1]).put("rejected", texts[2]);
                    if (random.nextBoolean()) {
                        row.put("weight", pick(random, WEIGHTS));
                    }
                    try {
                        s.append(i > 0 && format == InputFormat.JSON ? "," : "")
                                .append(TestFiles.JSON.writeValueAsString(row))
                                .append(format == InputFormat.JSONL ? "\n" : "");
                    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        }
        if (format == InputFormat.JSON) {
            s.append(']');
        }
        byte[] valid = s.toString().getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(valid);
        int mutations = random.nextInt(4);
        for (int m = 0; m < mutations; m++) {
            byte[] cur = out.toByteArray();
            int at = random.nextInt(cur.length + 1);
            out.reset();
            out.write(cur, 0, at);
            int skip = switch (random.nextInt(3)) {
                case 0 -> { // insert a fragment
                    out.writeBytes(FRAGMENTS[random.nextInt(FRAGMENTS.length)]);
                    yield 0;
                }
                case 1 -> { // replace one byte
                    out.write(INTERESTING[random.nextInt(INTERESTING.length)]);
                    yield 1;
                }
                default -> random.nextInt(1, 20); // cut a stretch
            };
            int rest = Math.min(cur.length, at + skip);
            out.write(cur, rest, cur.length - rest);
        }
        return out.toByteArray();
    }

    private static byte[] b(String ascii) {
        return ascii.getBytes(StandardCharsets.UTF_8);
    }

    private static <T> T pick(SplittableRandom random, T[] values) {
        return values[random.nextInt(values.length)];
    }

    // ---------------------------------------------------------------------------------------------------------

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
