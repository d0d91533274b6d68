package io.dpo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dpo4j.judge.Candidate;
import io.dpo4j.judge.Judge;
import io.dpo4j.judge.Judges;
import io.dpo4j.util.Files2;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code dpo4j judge}: scores rows like the library does, skips per policy, reports bad rows by line. */
class JudgeCommandTest {
    static final String SCRIPT = Path.of("src/test/resources/judge/ScriptedJudge.java").toAbsolutePath().toString();
    static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    @TempDir
    Path tmp;

    private static Object[] run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int rc = cl.execute(args);
        return new Object[] {rc, out.toString(), err.toString()};
    }

    @Test
    void printsEachRowWithTheLibrarysScore() throws Exception {
        Path rows = tmp.resolve("rows.jsonl");
        Files.writeString(rows, """
                {"prompt": "Review:", "completion": " a great and wonderful film", "completion_tokens": 5, "id": 1}

                {"prompt": "Review:", "completion": " the worst, boring mess"}
                """);
        Object[] r = run("judge", "--judge", "onnx:artifacts/judges/sentiment", "--judge", "length:4@0.5",
                "--input", rows.toString());
        assertThat(r[0]).as((String) r[2]).isEqualTo(0);
        List<String> lines = ((String) r[1]).lines().toList();
        assertThat(lines).hasSize(2);
        JsonNode first = Files2.JSON.readTree(lines.get(0));
        JsonNode second = Files2.JSON.readTree(lines.get(1));
        assertThat(first.get("id").asInt()).isEqualTo(1);
        try (Judge j = Judges.open(List.of("onnx:artifacts/judges/sentiment", "length:4@0.5"))) {
            // the second row's token count comes from the tiny-gpt2 tokenizer: " the worst, boring mess" is 7 ids
            // (also with Python's tokenizers on artifacts/tiny-gpt2/tokenizer.json)
            double[] s = j.score(List.of(new Candidate("Review:", " a great and wonderful film", 5),
                    new Candidate("Review:", " the worst, boring mess", 7)));
            assertThat(first.get("score").asDouble()).isEqualTo(s[0]);
            assertThat(second.get("score").asDouble()).isEqualTo(s[1]);
            assertThat(s[0]).isGreaterThan(s[1]);
        }
        assertThat((String) r[2]).contains("judged 2 rows with onnx:artifacts/judges/sentiment + 0.5*length:4");
    }

    @Test
    void skippedRowsGetANullScoreAndAWarning() throws Exception {
        Path rows = tmp.resolve("rows.jsonl");
        Files.writeString(rows, """
                {"prompt": "a", "completion": "abc", "completion_tokens": 2}
                {"prompt": "the failing prompt", "completion": "error", "completion_tokens": 1}
                """);
        Path out = tmp.resolve("scored.jsonl");
        Object[] r = run("judge", "--judge", "cmd:[\"" + JAVA + "\",\"" + SCRIPT + "\"]", "--on-failure", "skip",
                "--input", rows.toString(), "--output", out.toString());
        assertThat(r[0]).as((String) r[2]).isEqualTo(0);
        List<String> lines = Files.readAllLines(out);
        assertThat(Files2.JSON.readTree(lines.get(0)).get("score").asDouble()).isEqualTo(4.0);
        assertThat(Files2.JSON.readTree(lines.get(1)).get("score").isNull()).isTrue();
        assertThat((String) r[2]).contains("warning:").contains("the failing prompt").contains("1 skipped");
    }

    @Test
    void badRowsAndBadOptionsFailWithOneLine() throws Exception {
        Path rows = tmp.resolve("rows.jsonl");
        Files.writeString(rows, "{\"prompt\": \"a\", \"completion\": \"b\", \"completion_tokens\": 1}\n"
                + "{\"prompt\": \"a\"}\n");
        Object[] bad = run("judge", "--judge", "length:3", "--input", rows.toString());
        assertThat(bad[0]).isEqualTo(2);
        assertThat((String) bad[2]).contains("rows.jsonl:2").contains("\"completion\"");
        Object[] policy = run("judge", "--judge", "length:3", "--input", rows.toString(), "--on-failure", "ignore");
        assertThat((String) policy[2]).contains("'ignore'").contains("retry:N");
        Path good = tmp.resolve("good.jsonl");
        Files.writeString(good, "{\"prompt\": \"a\", \"completion\": \"b\", \"completion_tokens\": 1}\n");
        Object[] same = run("judge", "--judge", "length:3", "--input", good.toString(), "--output", good.toString());
        assertThat((String) same[2]).contains("refusing to overwrite an input");
        Object[] kind = run("judge", "--judge", "bleu:x", "--input", good.toString());
        assertThat((String) kind[2]).contains("[onnx, cmd, length]");
    }
}
