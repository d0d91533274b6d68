package io.dpo4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dpo4j.cli.Main;
import io.dpo4j.util.Files2;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On resume {@code metrics.jsonl} is cut back to the resumed step: later records and a torn last line go, kept lines
 * stay byte for byte, and the resumed run continues from the next step without duplicates.
 */
class MetricsPurgeTest {
    @TempDir
    Path tmp;

    private static String record(long step, String prefix) {
        return "{\"step\":" + step + ",\"epoch\":" + (step / 10.0) + ",\"" + prefix + "loss\":0." + step + "}\n";
    }

    @Test
    void recordsAfterTheResumedStepAndATornLineAreDropped() throws Exception {
        StringBuilder full = new StringBuilder();
        StringBuilder expected = new StringBuilder();
        for (long s = 1; s <= 20; s++) {
            full.append(record(s, ""));
            if (s <= 10) {
                expected.append(record(s, ""));
            }
            if (s % 10 == 0) {
                full.append(record(s, "eval_"));
                if (s <= 10) {
                    expected.append(record(s, "eval_"));
                }
            }
        }
        Path file = tmp.resolve("metrics.jsonl");
        Files.writeString(file, full + "{\"step\":21,\"epoch\":2.1,\"lo");
        MetricsPurge.Result r = MetricsPurge.purgeAfter(file, 10);
        assertThat(r).isEqualTo(new MetricsPurge.Result(11, 11, 0, true));
        assertThat(Files.readString(file)).isEqualTo(expected.toString());
        try (var s = Files.list(tmp)) {
            assertThat(s).containsExactly(file); // rewritten through a renamed temporary, none left
        }
    }

    @Test
    void aCompleteLineThatIsNotARecordIsDroppedAndAnIntactFileIsNotRewritten() throws Exception {
        Path file = tmp.resolve("metrics.jsonl");
        Files.writeString(file, record(1, "") + "{\"step\":2,\"ep{\"step\":2,\"loss\":1}\n" + record(3, ""));
        assertThat(MetricsPurge.purgeAfter(file, 5)).isEqualTo(new MetricsPurge.Result(2, 0, 1, false));
        assertThat(Files.readString(file)).isEqualTo(record(1, "") + record(3, ""));
        Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(0));
        assertThat(MetricsPurge.purgeAfter(file, 5).changed()).isFalse();
        assertThat(Files.getLastModifiedTime(file).toMillis()).isZero();
        assertThat(MetricsPurge.purgeAfter(tmp.resolve("absent.jsonl"), 5).kept()).isZero();
    }

    @Test
    void resumeAfterAKillContinuesTheMetricsFromTheCheckpoint() throws Exception {
        Path out = tmp.resolve("run");
        assertThat(train(out, "--max-steps", "20")).isZero();
        Path metrics = out.resolve("metrics.jsonl");
        List<String> first = Files.readAllLines(metrics);
        assertThat(steps(first)).containsExactlyElementsOf(expectedSteps());
        Files.writeString(metrics, "{\"step\":21,\"epoch\":0.4", java.nio.file.StandardOpenOption.APPEND); // torn
        assertThat(train(out, "--max-steps", "20", "--resume", out.resolve("checkpoints/step-000010").toString()))
                .isZero();
        List<String> after = Files.readAllLines(metrics);
        assertThat(steps(after)).containsExactlyElementsOf(expectedSteps());
        int keptLines = 11; // steps 1..10 and the evaluation at step 10
        assertThat(after.subList(0, keptLines)).isEqualTo(first.subList(0, keptLines));
        assertThat(Files.readString(metrics, StandardCharsets.UTF_8)).endsWith("}\n");
    }

    /** Steps of the records of a run logging every step and evaluating every 10 steps, over 20 steps. */
    private static List<String> expectedSteps() {
        List<String> out = new ArrayList<>();
        LongStream.rangeClosed(1, 20).forEach(s -> {
            out.add("train " + s);
            if (s % 10 == 0) {
                out.add("eval " + s);
            }
        });
        return out;
    }

    private static List<String> steps(List<String> lines) throws Exception {
        List<String> out = new ArrayList<>();
        for (String l : lines) {
            JsonNode n = Files2.JSON.readTree(l);
            out.add((n.has("eval_loss") ? "eval " : "train ") + n.get("step").asLong());
        }
        return out;
    }

    private int train(Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("train", "--output", out.toString(), "--cache-dir",
                tmp.resolve("cache").toString(), "--log-every", "1", "--eval-every", "10", "--save-every", "10",
                "--batch-size", "4", "--no-progress"));
        args.addAll(List.of(more));
        return Main.commandLine().execute(args.toArray(String[]::new));
    }
}
