package io.dpo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code train --config FILE}: file values become option defaults, the command line overrides them, unknown keys are
 * refused listing the valid ones, and the effective configuration a run writes reproduces that run bit for bit.
 */
class ConfigFileTest {
    @TempDir
    Path tmp;

    private int run(StringWriter err, String... args) {
        CommandLine cl = Main.commandLine();
        cl.setErr(new PrintWriter(err));
        return Main.execute(cl, args);
    }

    @Test
    void fileValuesAreDefaultsAndTheCommandLineWins() throws Exception {
        Path cfg = Files.writeString(tmp.resolve("run.yaml"), "batch-size: 4\nmax-steps: 3\nlr: 0.002\nloss: ipo\n"
                + "output: " + tmp.resolve("run") + "\ncache-dir: " + tmp.resolve("cache") + "\nprogress: false\n");
        assertThat(run(new StringWriter(), "train", "--config", cfg.toString(), "--lr", "0.001")).isZero();
        String written = Files.readString(tmp.resolve("run").resolve(ConfigFile.RUN_FILE));
        assertThat(written).contains("batch-size: 4").contains("max-steps: 3").contains("lr: 0.001")
                .contains("loss: \"ipo\"").doesNotContain("config:");
        assertThat(Files.readString(cfg)).contains("lr: 0.002"); // the input is never written
    }

    @Test
    void unknownKeysAndBadValuesAreRefusedNamingTheField() throws Exception {
        Path cfg = Files.writeString(tmp.resolve("bad.yaml"), "batch_size: 4\n");
        StringWriter err = new StringWriter();
        assertThat(run(err, "train", "--config", cfg.toString())).isNotZero();
        assertThat(err.toString()).contains("field 'batch_size'").contains("batch-size").contains("grad-accum");
        Path nested = Files.writeString(tmp.resolve("nested.yaml"), "loss:\n  beta: 0.1\n");
        StringWriter err2 = new StringWriter();
        assertThat(run(err2, "train", "--config", nested.toString())).isNotZero();
        assertThat(err2.toString()).contains("field 'loss': expected a single value, found object");
        StringWriter err3 = new StringWriter();
        assertThat(run(err3, "train", "--config", tmp.resolve("missing.yaml").toString())).isNotZero();
        assertThat(err3.toString()).contains("missing.yaml: expected a YAML file, found no such file");
    }

    @Test
    void theRunsConfigReproducesItBitForBit() throws Exception {
        Path a = tmp.resolve("a");
        assertThat(run(new StringWriter(), "train", "--no-progress", "--max-steps", "4", "--batch-size", "4",
                "--grad-accum", "2", "--lr", "1e-3", "--loss", "robust", "--label-smoothing", "0.1", "--log-every", "1",
                "--seed", "5", "--output", a.toString(), "--cache-dir", tmp.resolve("cache").toString())).isZero();
        Path b = tmp.resolve("b");
        assertThat(run(new StringWriter(), "train", "--config", a.resolve(ConfigFile.RUN_FILE).toString(), "--output",
                b.toString())).isZero();
        assertThat(losses(b)).isEqualTo(losses(a)).hasSize(5); // 4 steps + the final evaluation
        Path ckpt = Path.of("checkpoints", "step-000004", "checkpoint");
        assertThat(Files.readAllBytes(b.resolve(ckpt))).isEqualTo(Files.readAllBytes(a.resolve(ckpt)));
    }

    /** @return every record's step and loss values (timing fields differ between runs) */
    private static List<String> losses(Path run) throws Exception {
        List<String> out = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            JsonNode n = json.readTree(line);
            out.add(n.get("step") + " " + n.path("loss") + n.path("eval_loss") + " " + n.path("rewards/margins")
                    + n.path("eval_rewards/margins"));
        }
        return out;
    }
}
