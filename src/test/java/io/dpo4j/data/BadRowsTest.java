package io.dpo4j.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generated malformed corpus (tools/data/make_bad_rows.py) through SKIP and FAIL: counts, lines, fields, reasons. */
class BadRowsTest {

    private static final Duration LIMIT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    private final JsonNode expected = TestFiles.json("bad_rows_expected.json");
    private final int maxLineBytes = expected.get("max_line_bytes").asInt();

    @Test
    void skipModeCountsAndNamesEveryBadRow() throws IOException {
        Path report = tmp.resolve("reports/skipped.jsonl");
        DataOptions opts = DataOptions.defaults().withOnBadRow(OnBadRow.SKIP, report);
        ReadResult r = assertTimeoutPreemptively(LIMIT, () -> PreferenceReader.read(TestFiles.resource("bad_rows.jsonl"),
                InputFormat.JSONL, opts, null, maxLineBytes));
        JsonNode rows = expected.get("rows");
        assertThat(expected.get("bad").asInt()).isGreaterThanOrEqualTo(500);
        assertEquals(expected.get("valid").asInt(), r.pairs().size(), "valid rows");
        assertEquals(rows.size(), r.skipped().size(), "skipped rows");
        for (int i = 0; i < rows.size(); i++) {
            JsonNode e = rows.get(i);
            BadRow b = r.skipped().get(i);
            String what = e.get("category").asText() + " at line " + e.get("line").asLong() + ": " + b.message();
            assertEquals(e.get("line").asLong(), b.line(), what);
            assertEquals(e.get("field").asText(), b.field(), what);
            assertThat(b.reason()).as(what).contains(e.get("reason_contains").asText()).contains("expected");
            assertThat(b.message()).startsWith(b.file() + ":" + b.line() + ": ");
        }
        List<String> reportLines = Files.readAllLines(report);
        assertEquals(rows.size(), reportLines.size(), "skip report lines");
        JsonNode first = TestFiles.JSON.readTree(reportLines.get(0));
        assertEquals(rows.get(0).get("line").asLong(), first.get("line").asLong());
        assertEquals(rows.get(0).get("field").asText(), first.get("field").asText());
    }

    @Test
    void skipModeCountsPerCategory() {
        DataOptions opts = DataOptions.defaults().withOnBadRow(OnBadRow.SKIP, null);
        ReadResult r = PreferenceReader.read(TestFiles.resource("bad_rows.jsonl"), InputFormat.JSONL, opts, null,
                maxLineBytes);
        Map<Long, String> categoryByLine = new HashMap<>();
        expected.get("rows").forEach(e -> categoryByLine.put(e.get("line").asLong(), e.get("category").asText()));
        Map<String, Integer> counts = new HashMap<>();
        r.skipped().forEach(b -> counts.merge(categoryByLine.getOrDefault(b.line(), "unexpected"), 1, Integer::sum));
        Map<String, Integer> want = new HashMap<>();
        expected.get("by_category").fields().forEachRemaining(f -> want.put(f.getKey(), f.getValue().asInt()));
        assertEquals(want, counts);
    }

    @Test
    void failModeStopsAtTheFirstBadRowWithFileLineFieldReason() {
        JsonNode first = expected.get("rows").get(0);
        Path file = TestFiles.resource("bad_rows.jsonl");
        assertThatThrownBy(() -> PreferenceReader.read(file, InputFormat.JSONL, DataOptions.defaults(), null, maxLineBytes))
                .isInstanceOf(DataFormatException.class)
                .hasMessageStartingWith(file + ":" + first.get("line").asLong() + ": ")
                .hasMessageContaining(first.get("reason_contains").asText());
    }

    @Test
    void failModeGivesAClearMessageForEveryBadLine() throws IOException {
        List<byte[]> lines = splitLines(Files.readAllBytes(TestFiles.resource("bad_rows.jsonl")));
        byte[] valid = lines.get(0); // line 1 (with a byte order mark) is always valid in the generated corpus
        assertThat(expected.get("rows").get(0).get("line").asLong()).isGreaterThan(1);
        for (JsonNode e : expected.get("rows")) {
            byte[] bad = lines.get(e.get("line").asInt() - 1);
            Path file = tmp.resolve("one.jsonl");
            Files.write(file, concat(valid, bad));
            String field = e.get("field").asText();
            String prefix = file + ":2: " + ("-".equals(field) ? "" : "field '" + field + "': ");
            assertTimeoutPreemptively(LIMIT, () -> assertThatThrownBy(() -> PreferenceReader.read(file, InputFormat.JSONL,
                    DataOptions.defaults(), null, maxLineBytes))
                    .as(e.get("category").asText())
                    .isInstanceOf(DataFormatException.class)
                    .hasMessageStartingWith(prefix)
                    .hasMessageContaining(e.get("reason_contains").asText()));
        }
    }

    @Test
    void hugeLineWithTheDefaultLimitIsReadNotHung() throws IOException { // 5 MB: under the line limit, over --max-prompt-chars
        Path file = tmp.resolve("huge.jsonl");
        String big = "x".repeat(5_000_000);
        Files.writeString(file, "{\"prompt\": \"" + big + "\", \"chosen\": \"a\", \"rejected\": \"b\"}\n{\"chosen\": 1, \"rejected\": \"b\"}\n");
        ReadResult r = assertTimeoutPreemptively(LIMIT, () -> PreferenceReader.read(file,
                DataOptions.defaults().withOnBadRow(OnBadRow.SKIP, null), null));
        assertThat(r.pairs()).isEmpty();
        assertThat(r.skipped()).extracting(BadRow::line, BadRow::field).containsExactly(tuple(1L, "prompt"),
                tuple(2L, "chosen"));
        assertThat(r.skipped().get(0).reason()).contains("--max-prompt-chars");
        ReadResult raised = assertTimeoutPreemptively(LIMIT, () -> PreferenceReader.read(file,
                DataOptions.defaults().withOnBadRow(OnBadRow.SKIP, null).withLimits(new ReadLimits(64 << 20, 10, 6_000_000)),
                null));
        assertThat(raised.pairs()).singleElement().extracting(p -> p.prompt().length()).isEqualTo(5_000_000);
    }

    @Test
    void randomBytesNeverCrashTheReader() throws IOException {
        java.util.Random rng = new java.util.Random(7);
        for (InputFormat format : InputFormat.values()) {
            for (int trial = 0; trial < 30; trial++) {
                byte[] bytes = new byte[rng.nextInt(2000)];
                rng.nextBytes(bytes);
                Path file = tmp.resolve("random." + format.name().toLowerCase(java.util.Locale.ROOT));
                Files.write(file, bytes);
                ReadResult r = assertTimeoutPreemptively(LIMIT, () -> PreferenceReader.read(file, format,
                        DataOptions.defaults().withOnBadRow(OnBadRow.SKIP, null), null));
                assertThat(r.skipped()).allSatisfy(b -> assertThat(b.reason()).isNotBlank());
                try { // FAIL mode: either fine or a DataFormatException, never anything else
                    PreferenceReader.read(file, format, DataOptions.defaults(), null);
                } catch (DataFormatException expectedForGarbage) {
                    assertThat(expectedForGarbage.getMessage()).startsWith(file + ":");
                }
            }
        }
    }

    private static List<byte[]> splitLines(byte[] all) {
        List<byte[]> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= all.length; i++) {
            if (i == all.length || all[i] == '\n') {
                if (i > start || i < all.length) {
                    out.add(Arrays.copyOfRange(all, start, i));
                }
                start = i + 1;
            }
        }
        return out;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length + 2];
        System.arraycopy(a, 0, out, 0, a.length);
        out[a.length] = '\n';
        System.arraycopy(b, 0, out, a.length + 1, b.length);
        out[out.length - 1] = '\n';
        return out;
    }
}
