package io.dpo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dpo4j.train.CheckpointStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dpo4j train} with only output locations set: the embedded default learns the IMDb preference (held-out
 * rewards/accuracies ≥ 0.8), logs TRL's metric names, and leaves a verified checkpoint that refuses to load once
 * corrupted and refuses a resume with other settings.
 */
class EmbeddedDefaultTest {
    @TempDir
    Path tmp;

    @Test
    void learnsTheHeldOutPreferenceAndLogsTrlMetrics() throws Exception {
        Path out = tmp.resolve("run");
        String[] where = {"--output", out.toString(), "--cache-dir", tmp.resolve("cache").toString()};
        assertThat(Main.commandLine().execute(concat(new String[] {"train", "--no-progress"}, where))).isZero();

        List<JsonNode> records = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (String line : Files.readAllLines(out.resolve("metrics.jsonl"))) {
            records.add(json.readTree(line));
        }
        JsonNode train = records.get(0);
        List<String> names = new ArrayList<>();
        train.fieldNames().forEachRemaining(names::add);
        assertThat(names).containsExactly("step", "epoch", "loss", "rewards/chosen", "rewards/rejected",
                "rewards/accuracies", "rewards/margins", "logps/chosen", "logps/rejected", "logits/chosen",
                "logits/rejected", "learning_rate", "pairs/s", "tokens/s");
        JsonNode eval = records.get(records.size() - 1);
        assertThat(eval.get("step").asInt()).isEqualTo(150);
        assertThat(eval.get("eval_rewards/accuracies").asDouble()).isGreaterThanOrEqualTo(0.8);
        assertThat(eval.get("eval_loss").asDouble()).isLessThan(Math.log(2));

        Path ckpt = out.resolve("checkpoints").resolve("step-000150");
        assertThat(CheckpointStore.load(ckpt).step()).isEqualTo(150);
        picocli.CommandLine cl = Main.commandLine();
        java.io.StringWriter err = new java.io.StringWriter();
        cl.setErr(new java.io.PrintWriter(err));
        int code = cl.execute(concat(new String[] {"train", "--no-progress", "--lr", "1e-3", "--resume",
                ckpt.toString()}, where));
        assertThat(code).as("resume with another learning rate is refused").isNotZero();
        assertThat(err.toString()).contains("written with other artifacts, data or training settings");

        Files.write(ckpt.resolve(CheckpointStore.ORT_FILE), new byte[] {0}, StandardOpenOption.APPEND);
        assertThatThrownBy(() -> CheckpointStore.load(ckpt)).hasMessageContaining("is corrupt")
                .hasMessageContaining("expects sha256");
    }

    private static String[] concat(String[] a, String[] b) {
        String[] r = new String[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
