package io.dpo4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dpo4j.artifacts.ArtifactSet;
import io.dpo4j.cli.Main;
import io.dpo4j.runtime.OrtEnvironment;
import io.dpo4j.runtime.SessionConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code train --init-from} (the policy starts at a checkpoint's parameters with a fresh optimizer) and
 * {@code --reference-from} (reference log-probs through reference_model.onnx with a checkpoint's weights), the two
 * pieces a round of iterative DPO is made of.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InitAndReferenceFromTest {
    private static final double LR = 1e-2;
    private Path tmp;
    private Path first;

    /** A first run of 6 steps at a constant learning rate, a checkpoint after every step. */
    @BeforeAll
    void trainFirstRun(@TempDir Path dir) {
        tmp = dir;
        first = tmp.resolve("first");
        run("--output", first.toString(), "--max-steps", "6", "--save-every", "1", "--lr", String.valueOf(LR),
                "--lr-schedule", "constant");
    }

    private Path checkpoint(int step) {
        return new CheckpointStore(first).dirOf(step);
    }

    private void run(String... args) {
        List<String> all = new ArrayList<>(List.of("train", "--no-progress", "--artifacts", "artifacts/tiny-gpt2",
                "--cache-dir", tmp.resolve("cache").toString(), "--eval-fraction", "0"));
        all.addAll(List.of(args));
        CommandLine cl = Main.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        assertThat(cl.execute(all.toArray(String[]::new))).as(err.toString()).isZero();
    }

    private static JsonNode firstRecord(Path run) throws Exception {
        return new ObjectMapper().readTree(Files.readAllLines(run.resolve("metrics.jsonl")).get(0));
    }

    @Test
    void referenceFromTheInitCheckpointGivesZEqualsZeroAtStepOne() throws Exception {
        Path out = tmp.resolve("refresh");
        run("--output", out.toString(), "--max-steps", "1", "--log-every", "1", "--init-from",
                checkpoint(6).toString(), "--reference-from", checkpoint(6).toString());
        JsonNode m = firstRecord(out);
        assertThat(m.get("rewards/chosen").asDouble()).isEqualTo(0.0);
        assertThat(m.get("rewards/rejected").asDouble()).isEqualTo(0.0);
        assertThat(m.get("rewards/margins").asDouble()).isEqualTo(0.0);
        assertThat(m.get("loss").asDouble()).isCloseTo(Math.log(2), within(1e-6));
        assertThat(Files.readString(out.resolve("config.yaml"))).contains("init-from: \"" + checkpoint(6))
                .contains("reference-from: \"" + checkpoint(6));
    }

    @Test
    void theStartingReferenceSeesTheTrainedPolicyMoved() throws Exception {
        Path out = tmp.resolve("fixed");
        run("--output", out.toString(), "--max-steps", "1", "--log-every", "1", "--init-from",
                checkpoint(6).toString());
        JsonNode m = firstRecord(out);
        assertThat(Math.abs(m.get("rewards/margins").asDouble())).isGreaterThan(1e-3);
        assertThat(m.get("loss").asDouble()).isLessThan(Math.log(2) - 1e-3); // six steps of DPO lowered it
    }

    /**
     * AdamW's first step from a fresh state moves every parameter with a gradient well above eps by lr (m/sqrt(v) =
     * ±1); a step with the state of earlier steps does not. So init-from starts the optimizer afresh. (Measured: 0.88 of
     * the moved parameters after the fresh step, 0.0000 after the first run's own sixth step; the rest of the fresh
     * step's have gradients not far above eps.)
     */
    @Test
    void initFromStartsTheOptimizerFresh() {
        Path out = tmp.resolve("fresh");
        run("--output", out.toString(), "--max-steps", "1", "--lr", String.valueOf(LR), "--init-from",
                checkpoint(5).toString());
        ArtifactSet art = ArtifactSet.load(Path.of("artifacts/tiny-gpt2"));
        SessionConfig sc = SessionConfig.cpuDefaults();
        try (OrtEnvironment env = OrtEnvironment.create("test")) {
            float[] start = CheckpointWeights.trainable(env, sc, art, checkpoint(5).resolve("checkpoint"));
            float[] fresh = CheckpointWeights.trainable(env, sc, art,
                    new CheckpointStore(out).dirOf(1).resolve("checkpoint"));
            float[] continued = CheckpointWeights.trainable(env, sc, art, checkpoint(6).resolve("checkpoint"));
            double f = fractionMovedByLr(start, fresh);
            double c = fractionMovedByLr(start, continued);
            System.err.printf("moved by lr: fresh %.4f, continued %.4f%n", f, c);
            assertThat(f).isGreaterThan(0.5);
            assertThat(c).isLessThan(0.1);
        }
    }

    /** Among the parameters that moved (embedding rows of tokens not in the batch have no gradient), those moved by lr. */
    private static double fractionMovedByLr(float[] a, float[] b) {
        int moved = 0, byLr = 0;
        for (int i = 0; i < a.length; i++) {
            if (a[i] != b[i]) {
                moved++;
                if (Math.abs(Math.abs((double) b[i] - a[i]) / LR - 1) < 0.01) {
                    byLr++;
                }
            }
        }
        assertThat(moved).isGreaterThan(a.length / 2);
        return (double) byLr / moved;
    }

    @Test
    void aBrokenCheckpointIsRefusedNamingTheOption() throws Exception {
        Path bad = tmp.resolve("bad-ckpt");
        Files.createDirectories(bad);
        CommandLine cl = Main.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        int code = cl.execute("train", "--no-progress", "--artifacts", "artifacts/tiny-gpt2", "--output",
                tmp.resolve("x").toString(), "--cache-dir", tmp.resolve("cache").toString(), "--max-steps", "1",
                "--reference-from", bad.toString());
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).startsWith("error: --reference-from " + bad + ": checkpoint " + bad
                + ": expected files trainer_state.json and checkpoint");
        int code2 = Main.commandLine().execute("train", "--no-progress", "--loss", "simpo", "--output",
                tmp.resolve("y").toString(), "--reference-from", checkpoint(1).toString());
        assertThat(code2).isEqualTo(2);
    }
}
