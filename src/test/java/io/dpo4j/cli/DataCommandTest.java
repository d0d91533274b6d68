package io.dpo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code data stats} run standalone on the committed test data and tiny artifacts. */
class DataCommandTest {

    @TempDir
    Path tmp;

    private static Path resource(String name) throws URISyntaxException {
        return Path.of(DataCommandTest.class.getResource("/data/" + name).toURI());
    }

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new DataCommand());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void statsReportsCountsHistogramsTruncationMergesAndDuplicates() throws Exception {
        Path data = tmp.resolve("d.jsonl");
        String standard = Files.readString(resource("standard.jsonl"));
        Files.writeString(data, standard + standard.lines().findFirst().orElseThrow() + "\n{\"chosen\": 1}\n");
        Path report = tmp.resolve("skipped.jsonl");
        Run r = run("stats", "--data", data.toString(), "--artifacts", "artifacts/tiny-gpt2", "--max-length", "12",
                "--max-prompt-length", "6", "--on-bad-row", "skip", "--skip-report", report.toString());
        assertEquals(0, r.code(), r.err());
        // expected counts: the independent expectations for these options plus the duplicated first row
        var c = new com.fasterxml.jackson.databind.ObjectMapper().readTree(resource("expected_gpt2.json").toFile())
                .get("cases").get(6);
        assertEquals("truncate_keep_end", c.get("name").asText());
        var first = c.get("pairs").get(0);
        long prompt = c.get("counters").get("prompt_truncated").asLong() + (first.get("prompt_truncated").asBoolean() ? 1 : 0);
        long chosen = c.get("counters").get("chosen_truncated").asLong() + (first.get("chosen_truncated").asBoolean() ? 1 : 0);
        long rejected = c.get("counters").get("rejected_truncated").asLong()
                + (first.get("rejected_truncated").asBoolean() ? 1 : 0);
        long merges = c.get("counters").get("boundary_merges").asLong() + first.get("boundary_merges").asLong();
        assertThat(r.out())
                .contains("rows: 8 read, 7 usable, 1 skipped")
                .contains("skipped for field rejected: 1")
                .contains("pairs: 7 kept, 0 dropped")
                .contains("truncated: prompt " + prompt + ", chosen " + chosen + ", rejected " + rejected)
                .contains("boundary merges: " + merges + " completions")
                .contains("duplicate pairs: 1")
                .containsPattern("prompt tokens: n=7 min=\\d+ median=\\d+ mean=[0-9.]+ max=6")
                .contains("chosen tokens: n=7").contains("rejected tokens: n=7");
        assertThat(Files.readAllLines(report)).hasSize(1);
    }

    @Test
    void failModeExitsNonZeroNamingLineAndField() throws Exception {
        Path data = tmp.resolve("bad.jsonl");
        Files.writeString(data, "{\"prompt\": \"p\", \"chosen\": \"a\", \"rejected\": \"a\"}\n");
        Run r = run("stats", "--data", data.toString(), "--artifacts", "artifacts/tiny-gpt2");
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains(data + ":1: field 'rejected': expected a completion different from chosen");
    }

    @Test
    void helpShowsDefaultsAndExamples() {
        Run r = run("stats", "--help");
        assertEquals(0, r.code());
        assertThat(r.out()).contains("Default: 128").contains("Default: 64").contains("Default: keep_end")
                .contains("Examples:").contains("dpo4j data stats --data prefs.jsonl --artifacts artifacts/tiny-gpt2");
    }
}
