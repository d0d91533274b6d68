package io.dpo4j.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link MetricsReader}: records and values as written, bad lines skipped (or fatal with strict) by file:line. */
class MetricsReaderTest {
    @TempDir
    Path tmp;

    private Path run(String name, String content) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(name));
        Files.writeString(dir.resolve("metrics.jsonl"), content, StandardCharsets.UTF_8);
        return dir;
    }

    @Test
    void readsTrainingAndEvalRecordsWithTheirValues() throws Exception {
        Path dir = run("a", """
                {"step":1,"epoch":0.5,"loss":0.69,"rewards/margins":0.0,"learning_rate":0.003,"pairs/s":12.5}
                {"step":2,"epoch":1.0,"loss":0.6,"rewards/margins":0.25,"learning_rate":0.0015,"pairs/s":13.0}
                {"step":2,"epoch":1.0,"eval_loss":0.65,"eval_rewards/accuracies":0.75}
                """);
        RunMetrics r = MetricsReader.read(dir, "a", false);
        assertThat(r.records()).hasSize(3);
        assertThat(r.problems()).isEmpty();
        assertThat(r.checkpoint()).isNull();
        MetricRecord first = r.records().get(0);
        assertThat(first.line()).isEqualTo(1);
        assertThat(first.step()).isEqualTo(1);
        assertThat(first.epoch()).isEqualTo(0.5);
        assertThat(first.values()).containsOnlyKeys("loss", "rewards/margins", "learning_rate", "pairs/s")
                .containsEntry("pairs/s", 12.5);
        assertThat(first.isEval()).isFalse();
        assertThat(r.records().get(2).isEval()).isTrue();
        assertThat(r.series("loss")).containsExactly(new ChartSpec.Point(1, 0.69), new ChartSpec.Point(2, 0.6));
        assertThat(r.series("eval_loss")).containsExactly(new ChartSpec.Point(2, 0.65));
        assertThat(r.series("eval_rewards/margins")).isEmpty();
        assertThat(r.finalStep()).isEqualTo(2);
    }

    @Test
    void badLinesAreSkippedWithFileAndLineAndTheReason() throws Exception {
        Path dir = run("a", """
                {"step":1,"loss":0.69}
                not json at all
                [1,2]
                {"loss":0.5}
                {"step":2,"loss":"abc"}
                {"step":-3,"loss":0.5}

                {"step":3,"loss":"NaN","eval_x":"-Infinity"}
                {"step":4,"loss":0.4}
                {"step":5,"lo""");
        RunMetrics r = MetricsReader.read(dir, "a", false);
        assertThat(r.records()).extracting(MetricRecord::step).containsExactly(1L, 3L, 4L);
        assertThat(r.records().get(1).get("loss")).isNaN();
        assertThat(r.records().get(1).get("eval_x")).isEqualTo(Double.NEGATIVE_INFINITY);
        Path file = dir.resolve("metrics.jsonl");
        assertThat(r.problems()).extracting(MetricsProblem::line).containsExactly(2L, 3L, 4L, 5L, 6L, 10L);
        assertThat(r.problems()).allSatisfy(p -> assertThat(p.file()).isEqualTo(file));
        assertThat(r.problems().get(0).toString()).startsWith(file + ":2: expected a JSON object, found text that "
                + "is not JSON");
        assertThat(r.problems().get(1).reason()).isEqualTo("expected a JSON object, found an array");
        assertThat(r.problems().get(2).reason()).isEqualTo("field 'step': expected an integer >= 0, found no such "
                + "field");
        assertThat(r.problems().get(3).reason()).isEqualTo("field 'loss': expected a number, found a string "
                + "(\"abc\")");
        assertThat(r.problems().get(4).reason()).isEqualTo("field 'step': expected an integer >= 0, found a number "
                + "(-3)");
        assertThat(r.problems().get(5).reason()).startsWith("torn last line: expected a record ending in a newline, "
                + "found 13 bytes without one");
    }

    @Test
    void strictFailsOnTheFirstBadLineNamingFileAndLine() throws Exception {
        Path dir = run("a", "{\"step\":1,\"loss\":0.69}\r\n{\"step\":2,\"loss\":0.6} trailing\n");
        Path file = dir.resolve("metrics.jsonl");
        assertThatThrownBy(() -> MetricsReader.read(dir, "a", true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(file + ":2: expected a JSON object, found text that is not JSON")
                .hasMessageEndingWith("(without --strict such lines are skipped)");
        assertThat(MetricsReader.read(dir, "a", false).records()).hasSize(1); // CRLF line 1 is fine
    }

    @Test
    void duplicateKeysAndInvalidUtf8AreBadLines() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("b"));
        byte[] bad = "{\"step\":2,\"loss\":\"\u00ff\"}\n".getBytes(StandardCharsets.ISO_8859_1);
        byte[] content = concat("{\"step\":1,\"loss\":1,\"loss\":2}\n".getBytes(StandardCharsets.UTF_8), bad,
                "{\"step\":3,\"loss\":0.5}\n".getBytes(StandardCharsets.UTF_8));
        Files.write(dir.resolve("metrics.jsonl"), content);
        RunMetrics r = MetricsReader.read(dir, "b", false);
        assertThat(r.records()).extracting(MetricRecord::step).containsExactly(3L);
        assertThat(r.problems()).extracting(MetricsProblem::reason).satisfiesExactly(
                a -> assertThat(a).contains("not JSON").contains("Duplicate field 'loss'"),
                b -> assertThat(b).isEqualTo("expected UTF-8 text, found an invalid byte sequence"));
    }

    @Test
    void missingDirectoryMissingFileAndNoRecordsFail() throws Exception {
        assertThatThrownBy(() -> MetricsReader.read(tmp.resolve("none"), "x", false))
                .hasMessage("run directory " + tmp.resolve("none") + ": expected a directory holding metrics.jsonl, "
                        + "found nothing");
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertThatThrownBy(() -> MetricsReader.read(empty, "x", false))
                .hasMessage(empty.resolve("metrics.jsonl") + ": expected the run's metrics file (written by dpo4j "
                        + "train), found no such file");
        Path junk = run("junk", "garbage\n");
        assertThatThrownBy(() -> MetricsReader.read(junk, "x", false))
                .hasMessageStartingWith(junk.resolve("metrics.jsonl") + ": expected at least one metrics record, "
                        + "found none (1 lines, 1 unusable; first: line 1: expected a JSON object");
    }

    @Test
    void newestCheckpointComesFromItsTrainerState() throws Exception {
        Path dir = run("c", "{\"step\":6,\"loss\":0.5}\n");
        Path older = Files.createDirectories(dir.resolve("checkpoints/step-000003"));
        Files.writeString(older.resolve("trainer_state.json"), "{\"step\":3,\"eval_loss\":0.7}");
        Path newer = Files.createDirectories(dir.resolve("checkpoints/step-000006"));
        Files.writeString(newer.resolve("trainer_state.json"), "{\"step\":6,\"eval_loss\":0.61}");
        RunMetrics r = MetricsReader.read(dir, "c", false);
        assertThat(r.checkpoint()).isEqualTo(new RunMetrics.Checkpoint("step-000006", 6, 0.61));

        Files.writeString(newer.resolve("trainer_state.json"), "{\"step\":\"six\"}");
        RunMetrics broken = MetricsReader.read(dir, "c", false);
        assertThat(broken.checkpoint()).isNull();
        assertThat(broken.problems()).singleElement().hasToString(newer.resolve("trainer_state.json")
                + ": field 'step': expected an integer >= 0, found a string (\"six\")");
        assertThatThrownBy(() -> MetricsReader.read(dir, "c", true))
                .hasMessageContaining("trainer_state.json: field 'step'");
    }

    @Test
    void laterRecordForTheSameStepWins() throws Exception {
        Path dir = run("d", """
                {"step":2,"loss":0.9}
                {"step":1,"loss":0.8}
                {"step":2,"loss":0.7}
                """);
        assertThat(MetricsReader.read(dir, "d", false).series("loss"))
                .containsExactly(new ChartSpec.Point(1, 0.8), new ChartSpec.Point(2, 0.7));
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
